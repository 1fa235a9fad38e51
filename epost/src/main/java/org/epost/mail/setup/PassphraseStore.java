package org.epost.mail.setup;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.epost.post.disk.AtomicFiles;

/**
 * Where the daemon started at login finds the passphrase of the keys (ADR 0146): the desktop's
 * Secret Service (GNOME Keyring, KWallet, KeePassXC), through libsecret's {@code secret-tool}, when
 * it is installed and a Secret Service answers on the session bus; else the owner-only file {@code
 * DATA/passphrase} (0600 in a 0700 directory). A stored passphrase is the user's choice at the
 * first run; {@code epost run} looks it up only when no {@code --passphrase-file} and no {@code
 * EPOST_PASSPHRASE} is given, and before asking on a console.
 *
 * <p>The item in the Secret Service carries the attributes {@code application=epost} and {@code
 * data=ROOT} (the data directory's real path), so two data directories keep two passphrases. {@code
 * secret-tool} gets the passphrase on its standard input, never on a command line.
 */
public final class PassphraseStore {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.setup");

  /** Where a passphrase was stored. */
  public enum Where {
    SECRET_SERVICE("the desktop's keyring (Secret Service)"),
    FILE("an owner-only file");

    public final String label;

    Where(String label) {
      this.label = label;
    }
  }

  static final String FILE_NAME = "passphrase";
  static final int MAX_BYTES = 4096;
  static final long TOOL_SECONDS = 20;

  private final Path root;
  private final Map<String, String> env;

  /**
   * The store of the data directory {@code root}; {@code env} is the environment {@code
   * secret-tool} runs in (its {@code DBUS_SESSION_BUS_ADDRESS} names the session bus).
   */
  public PassphraseStore(Path root, Map<String, String> env) {
    this.root = root;
    this.env = Map.copyOf(env);
  }

  /** The owner-only file used when there is no Secret Service. */
  public Path file() {
    return root.resolve(FILE_NAME);
  }

  /**
   * Stores {@code passphrase}: in the Secret Service when it answers (and then removes an old
   * file), else in {@link #file()} with mode 0600.
   *
   * @throws IOException if neither could be written
   */
  public Where store(char[] passphrase) throws IOException {
    byte[] bytes = utf8(passphrase);
    try {
      if (secretTool().isPresent()) {
        Optional<String> error =
            runTool(
                List.of(
                    "store",
                    "--label=ePOST key passphrase (" + realRoot() + ")",
                    "application",
                    "epost",
                    "data",
                    realRoot()),
                bytes,
                null);
        if (error.isEmpty()) {
          Files.deleteIfExists(file());
          return Where.SECRET_SERVICE;
        }
        LOG.log(Level.DEBUG, "no Secret Service ({0}); the passphrase goes to a file", error.get());
      }
      byte[] line = Arrays.copyOf(bytes, bytes.length + 1);
      line[bytes.length] = '\n';
      try {
        AtomicFiles.replace(file(), line, true);
      } finally {
        Arrays.fill(line, (byte) 0);
      }
      return Where.FILE;
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /**
   * The stored passphrase: {@link #file()} when it exists, else the Secret Service's item for this
   * data directory; empty when neither has one.
   *
   * @throws IOException if the file exists but cannot be read
   */
  public Optional<char[]> lookup() throws IOException {
    if (Files.exists(file())) {
      byte[] b = Files.readAllBytes(file());
      try {
        return Optional.of(firstLine(b));
      } finally {
        Arrays.fill(b, (byte) 0);
      }
    }
    if (secretTool().isEmpty()) {
      return Optional.empty();
    }
    byte[][] out = new byte[1][];
    Optional<String> error =
        runTool(List.of("lookup", "application", "epost", "data", realRoot()), null, out);
    if (error.isPresent() || out[0] == null || out[0].length == 0) {
      error.ifPresent(e -> LOG.log(Level.DEBUG, "secret-tool lookup: {0}", e));
      return Optional.empty();
    }
    try {
      return Optional.of(firstLine(out[0]));
    } finally {
      Arrays.fill(out[0], (byte) 0);
    }
  }

  private String realRoot() {
    try {
      return root.toRealPath().toString();
    } catch (IOException e) {
      return root.toAbsolutePath().normalize().toString();
    }
  }

  private Optional<Path> secretTool() {
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    for (String dir : path.split(File.pathSeparator)) {
      Path p = Path.of(dir, "secret-tool");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Runs secret-tool; empty when it succeeded, else why not. */
  private Optional<String> runTool(List<String> args, byte[] stdin, byte[][] stdout)
      throws IOException {
    if (env.getOrDefault("DBUS_SESSION_BUS_ADDRESS", "").isBlank()
        && env.getOrDefault("XDG_RUNTIME_DIR", "").isBlank()) {
      return Optional.of("no session bus");
    }
    List<String> cmd = new java.util.ArrayList<>();
    cmd.add(secretTool().orElseThrow().toString());
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    }
    byte[] out = p.getInputStream().readNBytes(MAX_BYTES);
    byte[] err = p.getErrorStream().readNBytes(MAX_BYTES);
    try {
      if (!p.waitFor(TOOL_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        Arrays.fill(out, (byte) 0);
        return Optional.of("secret-tool did not answer in " + TOOL_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted while waiting for secret-tool", e);
    }
    if (p.exitValue() != 0) {
      Arrays.fill(out, (byte) 0);
      String why = new String(err, StandardCharsets.UTF_8).strip();
      return Optional.of(why.isEmpty() ? "secret-tool exited " + p.exitValue() : why);
    }
    if (stdout != null) {
      stdout[0] = out;
    }
    return Optional.empty();
  }

  private static byte[] utf8(char[] chars) {
    ByteBuffer b = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
    byte[] out = new byte[b.remaining()];
    b.get(out);
    if (b.hasArray()) {
      Arrays.fill(b.array(), (byte) 0);
    }
    return out;
  }

  private static char[] firstLine(byte[] b) {
    int n = 0;
    while (n < b.length && n < MAX_BYTES && b[n] != '\n' && b[n] != '\r') {
      n++;
    }
    CharBuffer c = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(b, 0, n));
    char[] out = new char[c.remaining()];
    c.get(out);
    if (c.hasArray()) {
      Arrays.fill(c.array(), '\0');
    }
    return out;
  }
}
