package org.epost.mail.daemon;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.epost.post.api.MailAddress;
import org.epost.post.disk.AtomicFiles;

/**
 * One daemon's data directory (ADR 0120), owner-only (0700):
 *
 * <pre>
 * DATA/epost.properties        the configuration (every key documented; {@code epost init} writes it)
 * DATA/node/                   the node runtime's own directory (node.key, past/, control, lock)
 * DATA/ring/authority.pub      the ring authority's public key (the directory's trust anchor)
 * DATA/ring/authority.key      the authority's signing key, passphrase-wrapped (only on the
 *                              operator's machine: {@code epost ring init})
 * DATA/ring/invitation         what a new member needs: authority key, bootstraps, domains
 * DATA/accounts/ADDRESS/       one local account (see {@link AccountDirectory})
 * </pre>
 *
 * One process per data directory: {@code epost run} holds the node runtime's lock on {@code
 * DATA/node}; a second {@code run} is refused there, before it touches an account.
 */
public final class DataDirectory {
  static final String CONFIG_FILE = "epost.properties";

  private final Path root;

  private DataDirectory(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The data directory at {@code root}, created owner-only if missing. */
  public static DataDirectory open(Path root) throws IOException {
    DataDirectory d = new DataDirectory(root);
    if (Files.exists(d.root) && !Files.isDirectory(d.root)) {
      throw new IOException(d.root + " is not a directory; give --data a directory");
    }
    createPrivateDirectory(d.root);
    createPrivateDirectory(d.accountsDir());
    createPrivateDirectory(d.ringDir());
    return d;
  }

  /** The data directory at {@code root} as it is, without creating anything (status, account). */
  public static DataDirectory existing(Path root) throws IOException {
    DataDirectory d = new DataDirectory(root);
    if (!Files.isDirectory(d.root)) {
      throw new IOException(
          "no data directory " + d.root + ": run 'epost init --data " + root + "'");
    }
    return d;
  }

  public Path root() {
    return root;
  }

  public Path configFile() {
    return root.resolve(CONFIG_FILE);
  }

  public Path nodeDir() {
    return root.resolve("node");
  }

  /** The POST services' node-wide state: the pending store this node keeps for others. */
  public Path postDir() {
    return root.resolve("post");
  }

  public Path ringDir() {
    return root.resolve("ring");
  }

  public Path accountsDir() {
    return root.resolve("accounts");
  }

  /** The directory of local account {@code address} (normalised), which may not exist yet. */
  public AccountDirectory account(String address) {
    MailAddress a = MailAddress.parse(address);
    return new AccountDirectory(accountsDir().resolve(a.value()), a.value());
  }

  /** Every local account with a key file, in address order. */
  public List<AccountDirectory> accounts() throws IOException {
    List<AccountDirectory> out = new ArrayList<>();
    if (!Files.isDirectory(accountsDir())) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(accountsDir())) {
      for (Path p : ds) {
        String name = p.getFileName().toString();
        AccountDirectory a;
        try {
          a = account(name);
        } catch (IllegalArgumentException e) {
          continue; // not an account directory
        }
        if (Files.exists(a.keyFile())) {
          out.add(a);
        }
      }
    }
    out.sort((x, y) -> x.address().compareTo(y.address()));
    return out;
  }

  static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  /**
   * Writes {@code bytes} to {@code file} atomically (a temporary file, fsynced, renamed), readable
   * by the owner only when {@code secret}, else 0644.
   */
  static void writeAtomically(Path file, byte[] bytes, boolean secret) throws IOException {
    createPrivateDirectory(file.toAbsolutePath().getParent());
    AtomicFiles.replace(file, bytes, secret);
  }

  /** Reads a small file, refusing one over {@code max} bytes. */
  static byte[] readBounded(Path file, long max) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no file " + file);
    }
    long size = Files.size(file);
    if (size > max) {
      throw new IOException(file + " holds " + size + " bytes; at most " + max + " are read");
    }
    return Files.readAllBytes(file);
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
