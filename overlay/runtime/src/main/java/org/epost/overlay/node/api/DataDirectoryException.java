package org.epost.overlay.node.api;

import java.io.IOException;

/**
 * The node's data directory cannot be used: another process holds it, or its permissions let other
 * users write into it. The message is one line saying what is wrong and what to do.
 */
public final class DataDirectoryException extends IOException {
  private static final long serialVersionUID = 1L;

  public DataDirectoryException(String message) {
    super(message);
  }
}
