package org.epost.mail.imap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The per-account password the local IMAP and SMTP proxies accept: 24 random bytes, base64url,
 * generated once and kept in an owner-only file (0600) that {@code epost account} shows.
 */
public final class ProxyPasswords {
  private ProxyPasswords() {}

  /** The password in {@code file}, creating it (0600, atomically) if missing. */
  public static String loadOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, password + "\n", StandardCharsets.US_ASCII);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    return password;
  }
}
