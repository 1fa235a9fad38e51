package org.epost.imap.api;

/** The RFC 6154 special-use mailbox roles. */
public enum SpecialUse {
  ALL("\\All"),
  ARCHIVE("\\Archive"),
  DRAFTS("\\Drafts"),
  FLAGGED("\\Flagged"),
  JUNK("\\Junk"),
  SENT("\\Sent"),
  TRASH("\\Trash");

  private final String attribute;

  SpecialUse(String attribute) {
    this.attribute = attribute;
  }

  /** The LIST attribute, for example {@code \Sent}. */
  public String attribute() {
    return attribute;
  }
}
