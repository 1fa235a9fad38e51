package org.epost.mail.desktop;

import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.epost.mail.delivery.NewMail;

/**
 * Desktop notifications through the freedesktop notification service, with {@code notify-send}
 * (libnotify-bin): sender and subject, and an "Open" action that runs the opener (the user's mail
 * client). Without {@code notify-send} there are none (said once in the log). At most {@value
 * #SHOWN} notifications wait for a click at once and {@value #QUEUED} more are queued; beyond that
 * a notification is dropped (the unread count still shows the mail).
 */
final class Notifier implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.desktop");
  static final int SHOWN = 4;
  static final int QUEUED = 16;

  /** Opens the mail client for one new message. */
  interface Opener {
    void open(NewMail mail);
  }

  private final String command;
  private final Opener opener;
  private final ThreadPoolExecutor exec =
      new ThreadPoolExecutor(
          SHOWN,
          SHOWN,
          30,
          TimeUnit.SECONDS,
          new ArrayBlockingQueue<>(QUEUED),
          r -> {
            Thread t = new Thread(r, "epost-tray-notify");
            t.setDaemon(true);
            return t;
          });

  Notifier(Opener opener) {
    this.command = onPath("notify-send");
    this.opener = opener;
    if (command == null) {
      LOG.log(Level.INFO, "no notify-send on PATH (package libnotify-bin): no mail notifications");
    }
  }

  /** Shows {@code mail}; returns at once. */
  void show(NewMail mail) {
    if (command == null) {
      return;
    }
    try {
      exec.execute(() -> run(mail));
    } catch (RejectedExecutionException e) {
      LOG.log(Level.DEBUG, "too many notifications open; not showing one more");
    }
  }

  static List<String> commandLine(String notifySend, NewMail mail) {
    String title =
        (mail.fromInternet() ? "From the Internet (unverified): " : "New mail from ") + mail.from();
    String body = markupSafe(mail.subject().isEmpty() ? "(no subject)" : mail.subject());
    return List.of(
        notifySend,
        "--app-name=ePOST",
        "--icon=mail-unread",
        "--category=email.arrived",
        "--action=open=Open",
        title,
        body);
  }

  private void run(NewMail mail) {
    try {
      Process p = new ProcessBuilder(commandLine(command, mail)).redirectErrorStream(true).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readNBytes(256), StandardCharsets.UTF_8).trim();
      }
      p.waitFor();
      if (out.equals("open")) {
        opener.open(mail);
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "notify-send failed: {0}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The body is notification markup: only text. */
  static String markupSafe(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    return null;
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }
}
