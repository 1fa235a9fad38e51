package org.epost.mail.desktop;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

/**
 * The tray's icons, drawn: a disc in the state's colour with a white envelope, and the unread
 * count.
 */
final class TrayIcons {
  static final int SIZE = 64;

  private TrayIcons() {}

  static BufferedImage icon(TrayState state, int unread) {
    BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(state.colour);
      g.fillOval(0, 0, SIZE, SIZE);
      g.setColor(Color.WHITE);
      g.setStroke(new BasicStroke(4f));
      g.drawRect(14, 20, 36, 24);
      g.drawLine(14, 20, 32, 34);
      g.drawLine(50, 20, 32, 34);
      if (unread > 0) {
        String n = unread > 99 ? "99+" : Integer.toString(unread);
        g.setColor(new Color(0x20, 0x20, 0x20));
        g.fillOval(SIZE - 30, 0, 30, 30);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, n.length() > 2 ? 12 : 18));
        int w = g.getFontMetrics().stringWidth(n);
        g.drawString(n, SIZE - 15 - w / 2, 21);
      }
    } finally {
      g.dispose();
    }
    return img;
  }
}
