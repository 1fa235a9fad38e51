package org.epost.mail.cli;

import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.Daemon;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DaemonHost;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.Passphrases;
import org.epost.mail.setup.PassphraseStore;
import org.epost.mail.setup.Setup;
import org.epost.mail.status.FirstRunPage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code epost run}: the daemon in the foreground until SIGTERM or SIGINT, which stop it in order
 * (see {@link Daemon#close}). Prints one {@code epost running ...} line once it serves, then one
 * line per listener (with {@code gateway.listen} set, the Internet gateway too: ADR 0128) and
 * account; in a desktop session (or with {@code tray.enabled=on}) the tray icon (ADR 0133), whose
 * menu can pause and resume the daemon (ADR 0134).
 */
@Command(
    name = "run",
    description =
        "Run the daemon: the node, POST, the local accounts, IMAP and SMTP submission on loopback."
            + " Stops cleanly on SIGTERM or Ctrl-C.")
final class RunCommand implements Callable<Integer> {
  @Mixin Epost.DataOption data = new Epost.DataOption();
  @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (Setup.needed(data.path())) {
      DataDirectory d = data.open();
      InitCommand.writeConfig(d, java.util.Map.of());
      char[] pass = firstRun(d, load(d));
      try {
        return serve(d, load(d), pass);
      } finally {
        java.util.Arrays.fill(pass, '\0');
      }
    }
    DataDirectory d = data.existing();
    return serve(d, load(d), passphrase(d));
  }

  /**
   * The first run in a browser (ADR 0145): the first-run page on the status page's address (any
   * loopback port when that is off or taken), its one-time URL printed and, in a desktop session,
   * opened; returns the passphrase given there once the setup is done.
   */
  private static char[] firstRun(DataDirectory d, DaemonConfig config)
      throws IOException, InterruptedException {
    java.net.InetSocketAddress bind =
        config.statusListen().orElse(new java.net.InetSocketAddress("127.0.0.1", 0));
    FirstRunPage started;
    try {
      started = FirstRunPage.start(bind, d.root(), System.getenv(), ScryptParameters.DEFAULT);
    } catch (java.net.BindException e) { // the page's port is taken: any free loopback port
      started =
          FirstRunPage.start(
              new java.net.InetSocketAddress(bind.getAddress(), 0),
              d.root(),
              System.getenv(),
              ScryptParameters.DEFAULT);
    }
    try (FirstRunPage page = started) {
      String url = page.oneTimeUrl().toString();
      System.out.println("first run: " + d.root() + " belongs to no ring yet; set it up at " + url);
      System.out.flush();
      org.epost.mail.desktop.Desktop.openIfDesktop(url);
      char[] pass = page.awaitPassphrase();
      System.out.println("first run done: starting ePOST");
      return pass;
    }
  }

  /**
   * The passphrase: {@code --passphrase-file}, else {@code EPOST_PASSPHRASE}, else the one kept at
   * the first run ({@link PassphraseStore}: the keyring or {@code DATA/passphrase}), else asked.
   */
  private char[] passphrase(DataDirectory d) throws IOException {
    if (d.accounts().isEmpty()) {
      return new char[0];
    }
    if (passphrase.file == null && System.getenv(Passphrases.ENV) == null) {
      java.util.Optional<char[]> kept = new PassphraseStore(d.root(), System.getenv()).lookup();
      if (kept.isPresent()) {
        return kept.get();
      }
    }
    return passphrase.get("passphrase of the accounts", false);
  }

  /** The data directory's configuration; a wrong key or value is the user's error. */
  static DaemonConfig load(DataDirectory d) throws IOException {
    try {
      return DaemonConfig.load(d.configFile());
    } catch (IllegalArgumentException e) {
      throw new Epost.UserError(d.configFile() + ": " + e.getMessage(), e);
    }
  }

  /** Runs the daemon on {@code d} with {@code config} until SIGTERM or SIGINT. */
  static int serve(DataDirectory d, DaemonConfig config, Epost.PassphraseOption passphrase)
      throws IOException, InterruptedException {
    return serve(
        d,
        config,
        d.accounts().isEmpty() ? new char[0] : passphrase.get("passphrase of the accounts", false));
  }

  /** Runs the daemon on {@code d} with {@code config} and {@code pass} (cleared) until stopped. */
  static int serve(DataDirectory d, DaemonConfig config, char[] pass)
      throws IOException, InterruptedException {
    DaemonHost host;
    try {
      host = DaemonHost.start(d, config, Daemon.Keys.unlock(d, pass));
    } catch (IOException e) {
      throw new Epost.UserError(e.getMessage(), e);
    } finally {
      java.util.Arrays.fill(pass, '\0');
    }
    Daemon daemon = host.daemon().orElseThrow();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  host.close();
                  stopped.countDown();
                },
                "epost-shutdown"));
    System.out.println(
        "epost running: node "
            + daemon.node().id().toHex()
            + " at "
            + daemon.node().address()
            + " data "
            + d.root());
    daemon.imapAddress().ifPresent(a -> System.out.println("imap " + hostPort(a)));
    daemon.smtpAddress().ifPresent(a -> System.out.println("smtp " + hostPort(a)));
    daemon
        .gatewayAddress()
        .ifPresent(
            a ->
                System.out.println(
                    "gateway " + hostPort(a) + " as " + daemon.gatewayAccount().orElseThrow()));
    for (String a : daemon.servedAccounts()) {
      System.out.println("account " + a);
    }
    daemon.notServed().forEach((a, why) -> System.out.println("not served " + a + ": " + why));
    // desktop (issue 18): the tray icon when a desktop session is present (tray.enabled)
    org.epost.mail.desktop.Desktop.startIfWanted(host, System.out);
    System.out.flush();
    stopped.await();
    return 0;
  }

  static String hostPort(java.net.InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }
}
