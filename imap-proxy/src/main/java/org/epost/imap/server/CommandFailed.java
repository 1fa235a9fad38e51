package org.epost.imap.server;

/** Ends a command with a tagged NO or BAD; {@code status} is the text after the tag. */
final class CommandFailed extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  CommandFailed(String status) {
    this(status, null);
  }

  private CommandFailed(String status, String code) {
    super(status, null, false, false);
    this.code = code;
  }

  static CommandFailed no(String code, String text) {
    return new CommandFailed("NO " + (code == null ? "" : "[" + code + "] ") + text, code);
  }

  /** The response code of a NO ({@code NONEXISTENT}, ...), or {@code null}. */
  String code() {
    return code;
  }

  static CommandFailed bad(String text) {
    return new CommandFailed("BAD " + text);
  }
}
