package org.epost.mail.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The passphrase kept for the start at login (ADR 0146), through the real path: {@code epost run}
 * with no passphrase option, no {@code EPOST_PASSPHRASE} and no console (as the systemd user unit
 * starts it) unlocks the keys and runs. Once with no Secret Service (the owner-only file), once
 * with a real one on a private session bus (gnome-keyring-daemon, unlocked as at login;
 * secret-tool).
 */
class PassphraseStoreTest {
  private static final ScryptParameters FAST = new ScryptParameters(10, 8, 1);

  @TempDir Path tmp;
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stop() throws InterruptedException {
    for (int i = started.size() - 1; i >= 0; i--) {
      Process p = started.get(i);
      p.destroy();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void withoutASecretServiceAnOwnerOnlyFileStartsTheDaemon() throws Exception {
    Path root = setUp("alice");
    Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
    PassphraseStore store = new PassphraseStore(root, env);
    assertEquals(Optional.empty(), store.lookup().map(String::new), "nothing kept yet");
    assertEquals(PassphraseStore.Where.FILE, store.store("correct horse".toCharArray()));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("passphrase"))));
    assertEquals("correct horse", new String(store.lookup().orElseThrow()));
    runs(root, env);
  }

  @Test
  void aSecretServiceKeepsItAndTheDaemonStartsFromIt() throws Exception {
    for (String b : List.of("dbus-daemon", "gnome-keyring-daemon", "secret-tool", "gdbus")) {
      assumeTrue(
          Files.isExecutable(Path.of("/usr/bin", b)),
          b
              + " is not installed (packages dbus-daemon, gnome-keyring, libsecret-tools,"
              + " libglib2.0-bin)");
    }
    Path home = Files.createDirectories(tmp.resolve("home"));
    Path run = Files.createDirectories(tmp.resolve("run"));
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
    Process bus =
        new ProcessBuilder(
                "dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    started.add(bus);
    String address =
        new BufferedReader(new InputStreamReader(bus.getInputStream(), StandardCharsets.US_ASCII))
            .readLine()
            .trim();
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", home.toString());
    env.put("XDG_RUNTIME_DIR", run.toString());
    env.put("DBUS_SESSION_BUS_ADDRESS", address);
    // the login keyring, unlocked with the login password as PAM does at a desktop login
    ProcessBuilder keyring =
        new ProcessBuilder(
                "gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(tmp.resolve("keyring.log").toFile());
    keyring.environment().clear();
    keyring.environment().putAll(env);
    Process k = keyring.start();
    started.add(k);
    k.getOutputStream().write("login password".getBytes(StandardCharsets.UTF_8));
    k.getOutputStream().close();

    // until the unlocked daemon owns the name, a call would make the bus start another, locked one
    awaitName(env, "org.freedesktop.secrets", 60);

    Path root = setUp("bob");
    Files.writeString(root.resolve("passphrase"), "an old file\n");
    PassphraseStore store = new PassphraseStore(root, env);
    assertEquals(
        PassphraseStore.Where.SECRET_SERVICE,
        store.store("battery staple".toCharArray()),
        Files.readString(tmp.resolve("keyring.log")));
    assertTrue(!Files.exists(root.resolve("passphrase")), "no file beside the keyring's item");
    assertEquals("battery staple", new String(store.lookup().orElseThrow()));
    assertEquals(
        Optional.empty(),
        new PassphraseStore(tmp.resolve("other"), env).lookup().map(String::new),
        "another data directory has no passphrase there");
    ProcessBuilder lookup =
        new ProcessBuilder(
            "secret-tool", "lookup", "application", "epost", "data", root.toRealPath().toString());
    lookup.environment().putAll(env);
    Process l = lookup.start();
    assertEquals(
        "battery staple", new String(l.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    runs(root, env);
  }

  /** Waits until {@code name} has an owner on the session bus of {@code env} (gdbus ListNames). */
  private static void awaitName(Map<String, String> env, String name, int seconds)
      throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String names = "";
    while (System.nanoTime() < end) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  "gdbus",
                  "call",
                  "--session",
                  "-d",
                  "org.freedesktop.DBus",
                  "-o",
                  "/org/freedesktop/DBus",
                  "-m",
                  "org.freedesktop.DBus.ListNames")
              .redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      names = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      if (names.contains("'" + name + "'")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(name + " not on the bus within " + seconds + " s: " + names);
  }

  /** A new ring with one account in {@code tmp/NAME}, its node on a free loopback port. */
  private Path setUp(String name) throws Exception {
    Path root = tmp.resolve(name);
    DataDirectory d = DataDirectory.open(root);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Setup.writeConfig(
        d,
        Map.of(
            DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:" + port,
            DaemonConfig.Key.NODE_QUOTA, "64m",
            DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:0",
            DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:0",
            DaemonConfig.Key.STATUS_LISTEN, "127.0.0.1:0"));
    String pass = name.equals("alice") ? "correct horse" : "battery staple";
    Setup.run(
        d,
        Optional.empty(),
        Setup.address(name + "@home.example"),
        pass.toCharArray(),
        new SecureRandom(),
        FAST);
    return root;
  }

  /** {@code epost run --data ROOT} as the user unit runs it: no passphrase given, no console. */
  private void runs(Path root, Map<String, String> env) throws Exception {
    try (EpostRun run = new EpostRun(root, env, tmp.resolve(root.getFileName() + ".err"))) {
      run.await("epost running", 90);
      assertTrue(run.stop(), "stopped on SIGTERM");
    }
  }
}
