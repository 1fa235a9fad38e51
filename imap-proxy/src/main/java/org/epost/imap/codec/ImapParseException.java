package org.epost.imap.codec;

/** A command that does not follow the IMAP grammar; the server answers BAD with the message. */
public class ImapParseException extends Exception {
  private static final long serialVersionUID = 1L;

  public ImapParseException(String message) {
    super(message);
  }
}
