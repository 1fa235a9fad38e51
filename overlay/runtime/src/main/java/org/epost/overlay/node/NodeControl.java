package org.epost.overlay.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A running node's loopback control port, for programs built on a node (the mail daemon's {@code
 * epost status}): one command, authenticated with the token in the node's data directory, and its
 * answer lines. The same client the node command uses; see {@link ControlServer} for the commands.
 */
public final class NodeControl {
  private NodeControl() {}

  /**
   * Sends {@code command} to the node whose data directory is {@code nodeDataDir} and returns the
   * answer lines.
   *
   * @throws IOException if no node runs there (no control file, or nothing answers on its port), or
   *     the connection fails or times out after {@code timeoutMillis}
   */
  public static List<String> call(Path nodeDataDir, String command, int timeoutMillis)
      throws IOException {
    return ControlClient.call(nodeDataDir, command, timeoutMillis);
  }
}
