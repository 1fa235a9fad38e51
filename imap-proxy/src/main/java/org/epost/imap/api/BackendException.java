package org.epost.imap.api;

import java.util.Objects;

/**
 * A backend failure the client should be told about precisely. The server replies {@code NO [code]
 * message}; the message must make sense to a user.
 */
public class BackendException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final ResponseCode code;

  public BackendException(ResponseCode code, String message) {
    super(message);
    this.code = Objects.requireNonNull(code, "code");
  }

  public BackendException(ResponseCode code, String message, Throwable cause) {
    super(message, cause);
    this.code = Objects.requireNonNull(code, "code");
  }

  public ResponseCode code() {
    return code;
  }
}
