package org.epost.imap.codec;

import java.util.List;

/**
 * One complete client command as framed off the wire: text segments (without CRLF and without the
 * literal markers) alternating with {@link Literal}s, or a framing error for which the server
 * answers BAD. Internal to the server; not API.
 *
 * @param parts {@code String} and {@link Literal} elements; a literal follows the text it ended
 * @param error a framing error message, or {@code null}
 * @param errorTag the tag of a failed command if it could be recovered, else {@code null}
 */
public record CommandFrame(List<Object> parts, String error, String errorTag) {

  public static CommandFrame error(String message, String tag) {
    return new CommandFrame(List.of(), message, tag);
  }

  public boolean isError() {
    return error != null;
  }

  /** The first text segment (the whole line for commands without literals). */
  public String firstLine() {
    return parts.isEmpty() ? "" : (String) parts.get(0);
  }

  /** Deletes spooled literals. */
  public void release() {
    for (Object part : parts) {
      if (part instanceof Literal literal) {
        literal.close();
      }
    }
  }
}
