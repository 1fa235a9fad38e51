package org.epost.overlay.node;

import java.io.IOException;
import org.epost.overlay.node.api.NodeConfig;
import org.epost.overlay.node.api.NodeRuntime;

/** Starts node runtimes: the entry point for the node command and for daemons built on a node. */
public final class NodeRuntimes {
  private NodeRuntimes() {}

  /**
   * Starts the services of a node in order (see {@link NodeRuntime}) and returns once it listens
   * and has begun to create or join its ring; {@link NodeRuntime#awaitReady} waits for the join.
   *
   * @throws org.epost.overlay.node.api.DataDirectoryException if another process uses the data
   *     directory, or other users may write it
   * @throws IOException if the directory, key, certificate or store cannot be read, or the listen
   *     address is taken
   * @throws IllegalArgumentException in ring-authority mode, if the certificate does not fit
   */
  public static NodeRuntime start(NodeConfig config) throws IOException {
    return NodeDaemon.start(config);
  }
}
