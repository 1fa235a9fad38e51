package org.epost.imap.server;

/** Ends a command with a tagged NO or BAD; {@code status} is the text after the tag. */
final class CommandFailed extends Exception {
  private static final long serialVersionUID = 1L;

  CommandFailed(String status) {
    super(status, null, false, false);
  }

  static CommandFailed no(String code, String text) {
    return new CommandFailed("NO " + (code == null ? "" : "[" + code + "] ") + text);
  }

  static CommandFailed bad(String text) {
    return new CommandFailed("BAD " + text);
  }
}
