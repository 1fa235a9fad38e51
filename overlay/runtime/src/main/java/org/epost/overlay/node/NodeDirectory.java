package org.epost.overlay.node;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.keyfile.KeyFiles;
import org.epost.crypto.keyfile.ScryptParameters;

/**
 * A node's data directory (owner-only, 0700): {@code node.key} (its Ed25519 identity, an ePOST key
 * file protected by the passphrase in {@code EPOST_NODE_PASSPHRASE}, empty if unset), and {@code
 * control} (the loopback control port and a fresh random token, 0600, rewritten at every start).
 * The same key file means the same node id after a restart.
 */
final class NodeDirectory {
  static final String KEY_FILE = "node.key";
  static final String CONTROL_FILE = "control";

  /** The node's certificate from the ring authority, in ring-authority mode (ADR 0089). */
  static final String CERT_FILE = "node.cert";

  static final String PASSPHRASE_ENV = "EPOST_NODE_PASSPHRASE";

  final Path dir;

  NodeDirectory(Path dir) throws IOException {
    this.dir = dir.toAbsolutePath();
    if (Files.exists(this.dir) && !Files.isDirectory(this.dir)) {
      throw new IOException(this.dir + " is not a directory; give --data a directory");
    }
    if (!Files.isDirectory(this.dir)) {
      Files.createDirectories(
          this.dir,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /** The node's identity: read from {@code node.key}, or created there on first start. */
  NodeIdentity loadOrCreateIdentity(SecureRandom random) throws IOException {
    Path key = dir.resolve(KEY_FILE);
    char[] passphrase = passphrase(PASSPHRASE_ENV);
    if (Files.exists(key)) {
      return readKey(key, passphrase, PASSPHRASE_ENV);
    }
    NodeIdentity id = NodeIdentity.generate(random);
    new KeyFiles(random, ScryptParameters.DEFAULT).write(key, id, passphrase);
    return id;
  }

  /** The passphrase in environment variable {@code env}; empty when it is not set. */
  static char[] passphrase(String env) {
    String p = System.getenv(env);
    return p == null ? new char[0] : p.toCharArray();
  }

  /**
   * Reads the key file {@code key} with {@code passphrase}, taken from environment variable {@code
   * env}: a file that does not open names that variable.
   */
  static NodeIdentity readKey(Path key, char[] passphrase, String env) throws IOException {
    try {
      return KeyFiles.readNode(key, passphrase);
    } catch (CryptoException e) {
      throw new IOException(
          "cannot open "
              + key
              + ": "
              + e.getMessage()
              + " (is "
              + env
              + " the passphrase it was written with?)",
          e);
    }
  }

  /** A fresh control token: 32 random bytes in hex. */
  static String newToken(SecureRandom random) {
    byte[] t = new byte[32];
    random.nextBytes(t);
    return HexFormat.of().formatHex(t);
  }

  /** Writes the control port and token, owner-only, atomically. */
  void writeControl(int port, String token) throws IOException {
    Path tmp = dir.resolve(CONTROL_FILE + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, (port + " " + token + "\n").getBytes(StandardCharsets.US_ASCII));
    try {
      Files.move(
          tmp,
          dir.resolve(CONTROL_FILE),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, dir.resolve(CONTROL_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Port and token from a node's {@code control} file. */
  static ControlEndpoint readControl(Path dir) throws IOException {
    Path f = dir.resolve(CONTROL_FILE);
    if (!Files.exists(f)) {
      throw new IOException("no " + f + ": is a node running with --data " + dir + "?");
    }
    List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
    String[] parts = lines.isEmpty() ? new String[0] : lines.get(0).trim().split(" ");
    if (parts.length != 2) {
      throw new IOException(f + " is damaged; restart the node to rewrite it");
    }
    try {
      return new ControlEndpoint(Integer.parseInt(parts[0]), parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException(f + " is damaged; restart the node to rewrite it", e);
    }
  }

  /** Where a node's control port is and the token it wants. */
  record ControlEndpoint(int port, String token) {}

  /**
   * The registry that maps a node's overlay address to its data directory, so that {@code route
   * --via HOST:PORT} finds the token: {@code $EPOST_NODE_REGISTRY}, else {@code ~/.epost/nodes}.
   * Each entry is a file named {@code host_port} holding the directory.
   */
  static Path registry() {
    String env = System.getenv("EPOST_NODE_REGISTRY");
    return env != null && !env.isEmpty()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".epost", "nodes");
  }

  static Path registryEntry(String hostPort) {
    return registry().resolve(hostPort.replace(':', '_').replace('[', '_').replace(']', '_'));
  }

  void register(String hostPort) throws IOException {
    Path reg = registry();
    try {
      Files.createDirectories(
          reg, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // a file, not a directory: the write below reports it
    }
    Path tmp = Files.createTempFile(reg, "entry", ".tmp");
    Files.write(tmp, (dir.toString() + "\n").getBytes(StandardCharsets.UTF_8));
    Files.move(tmp, registryEntry(hostPort), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The data directory registered for {@code hostPort}. */
  static Path lookup(String hostPort) throws IOException {
    Path e = registryEntry(hostPort);
    if (!Files.exists(e)) {
      throw new IOException(
          "no node registered for "
              + hostPort
              + " in "
              + registry()
              + "; pass --data DIR of that node");
    }
    return Path.of(Files.readAllLines(e, StandardCharsets.UTF_8).get(0).trim());
  }
}
