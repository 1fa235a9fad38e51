package org.epost.post.api;

/**
 * What a part of a stored message holds. The email application stores the header section and the
 * MIME structure apart from bodies and attachments, so that listing a folder reads only the message
 * block and the {@link #HEADER} part and never downloads a body.
 */
public enum PartRole {
  /** The message's header section (RFC 5322), as it will be listed. */
  HEADER(1),
  /** The MIME structure (what IMAP's BODYSTRUCTURE is built from). */
  STRUCTURE(2),
  /** A body part meant to be displayed (text/plain, text/html). */
  BODY(3),
  /** An attachment or any other part fetched only on demand. */
  ATTACHMENT(4);

  private final int code;

  PartRole(int code) {
    this.code = code;
  }

  /** The byte written into the message block. */
  public int code() {
    return code;
  }

  /** The role for {@code code}, or null if unknown. */
  public static PartRole ofCode(int code) {
    for (PartRole r : values()) {
      if (r.code == code) {
        return r;
      }
    }
    return null;
  }
}
