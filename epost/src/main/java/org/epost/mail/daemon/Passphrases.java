package org.epost.mail.daemon;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where the passphrase that unwraps the key files comes from, in order: {@code --passphrase-file
 * FILE} (its first line), the {@value #ENV} environment variable, a prompt on the console. With
 * none of them (no console: a service, CI) the command stops and says how to give one; it never
 * falls back to an empty passphrase on its own.
 */
public final class Passphrases {
  /** The environment variable holding the passphrase. */
  public static final String ENV = "EPOST_PASSPHRASE";

  /** Longest passphrase file read. */
  static final int MAX_FILE_BYTES = 4096;

  private Passphrases() {}

  /**
   * The passphrase from {@code file} (may be null), else the environment, else the console ({@code
   * confirm}: asked twice, for a new key file).
   *
   * @throws IOException if the file cannot be read, or no source is available
   */
  public static char[] obtain(Path file, String prompt, boolean confirm) throws IOException {
    if (file != null) {
      byte[] b = DataDirectory.readBounded(file, MAX_FILE_BYTES);
      String text = new String(b, StandardCharsets.UTF_8);
      Arrays.fill(b, (byte) 0);
      int nl = text.indexOf('\n');
      String line = nl < 0 ? text : text.substring(0, nl);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      return line.toCharArray();
    }
    String env = System.getenv(ENV);
    if (env != null) {
      return env.toCharArray();
    }
    Console console = System.console();
    if (console == null) {
      throw new IOException(
          "no passphrase: give --passphrase-file FILE or set "
              + ENV
              + " (there is no console to ask on)");
    }
    char[] p = console.readPassword("%s: ", prompt);
    if (p == null) {
      throw new IOException("no passphrase given");
    }
    if (confirm) {
      char[] again = console.readPassword("%s (again): ", prompt);
      if (again == null || !Arrays.equals(p, again)) {
        throw new IOException("the two passphrases differ; nothing was written");
      }
      Arrays.fill(again, '\0');
    }
    return p;
  }

  /** Reads {@code file} if it exists (null otherwise): a convenience for optional options. */
  static boolean exists(Path file) {
    return file != null && Files.exists(file);
  }
}
