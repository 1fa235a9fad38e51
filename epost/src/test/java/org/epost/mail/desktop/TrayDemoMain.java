package org.epost.mail.desktop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.epost.mail.daemon.Daemon;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DaemonHost;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.DemoRing;

/**
 * The tray against a daemon on an in-process ring, in its own JVM (the test sets its {@code
 * DISPLAY}): a demo ring of three nodes (alice, bob), alice's node restarted as {@code epost run}
 * does (a {@link DaemonHost} with her unlocked keys) and the tray started the way {@code epost run}
 * starts it. Standard input: {@code pause}, {@code resume}, {@code quit}; each answered with a line
 * {@code done WORD}.
 */
public final class TrayDemoMain {
  private TrayDemoMain() {}

  public static void main(String[] args) throws Exception {
    try (DemoRing ring =
        DemoRing.start(Path.of(args[0]), 3, List.of("alice", "bob"), 0, 0, System.err)) {
      String alice = "alice@" + DemoRing.DOMAIN;
      Daemon first = ring.daemons().get(0);
      Daemon old =
          ring.daemons().stream()
              .filter(d -> d.servedAccounts().contains(alice))
              .findFirst()
              .orElseThrow();
      DataDirectory data = old.dataDirectory();
      old.close();
      DaemonConfig config =
          DaemonConfig.defaults()
              .with(DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:0")
              .with(DaemonConfig.Key.NODE_BOOTSTRAP, first.node().address().toString())
              .with(DaemonConfig.Key.NODE_READY_TIMEOUT, "60")
              .with(DaemonConfig.Key.SHUTDOWN_GRACE, "5")
              .with(DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:0")
              .with(DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:0")
              .with(DaemonConfig.Key.STATUS_LISTEN, "127.0.0.1:0");
      try (DaemonHost host =
          DaemonHost.start(
              data, config, Daemon.Keys.unlock(data, DemoRing.PASSPHRASE.toCharArray()))) {
        System.out.println("daemon running " + alice);
        var tray = Desktop.startIfWanted(host, System.out);
        System.out.flush();
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
          switch (line.trim()) {
            case "pause" -> host.pause();
            case "resume" -> host.resume();
            case "quit" -> {
              if (tray.isPresent()) {
                tray.get().close();
              }
              System.out.println("done quit");
              System.out.flush();
              return;
            }
            default -> {}
          }
          System.out.println("done " + line.trim());
          System.out.flush();
        }
      }
    } finally {
      System.out.flush();
    }
  }
}
