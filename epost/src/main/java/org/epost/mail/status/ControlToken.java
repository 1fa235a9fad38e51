package org.epost.mail.status;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The token of a node's control port, from the {@code control} file in its data directory. */
public final class ControlToken {
  private ControlToken() {}

  /**
   * The token in {@code nodeDir/control} ("PORT TOKEN", owner-only, rewritten at every start).
   *
   * @throws IOException if the file is missing or damaged
   */
  public static String read(Path nodeDir) throws IOException {
    Path f = nodeDir.resolve("control");
    List<String> lines = Files.readAllLines(f, StandardCharsets.US_ASCII);
    String[] parts = lines.isEmpty() ? new String[0] : lines.get(0).trim().split(" ");
    if (parts.length != 2 || parts[1].isEmpty()) {
      throw new IOException(f + " is damaged; restart the node to rewrite it");
    }
    return parts[1];
  }
}
