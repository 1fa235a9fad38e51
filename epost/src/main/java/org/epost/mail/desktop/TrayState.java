package org.epost.mail.desktop;

import java.awt.Color;
import java.util.Locale;

/**
 * What the tray icon shows: the status page's health (ADR 0131) or paused, each with its colour
 * (the icon is a disc of that colour; a test finds it by that colour).
 */
enum TrayState {
  ONLINE(new Color(0x2e, 0x9e, 0x44), "online"),
  SYNCING(new Color(0x1e, 0x6f, 0xd9), "syncing"),
  OFFLINE(new Color(0x8a, 0x8a, 0x8a), "offline"),
  PROBLEM(new Color(0xc6, 0x28, 0x28), "problem"),
  PAUSED(new Color(0x8a, 0x8a, 0x8a), "paused");

  final Color colour;
  final String label;

  TrayState(Color colour, String label) {
    this.colour = colour;
    this.label = label;
  }

  /**
   * The state of a health word ({@code online}, {@code syncing}, {@code offline}, {@code problem}).
   */
  static TrayState ofHealth(String health) {
    return switch (health.toLowerCase(Locale.ROOT)) {
      case "online" -> ONLINE;
      case "syncing" -> SYNCING;
      case "problem" -> PROBLEM;
      default -> OFFLINE;
    };
  }
}
