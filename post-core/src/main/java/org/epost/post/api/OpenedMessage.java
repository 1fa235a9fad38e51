package org.epost.post.api;

import java.util.List;

/**
 * A message as its message block lists it: its parts, in the order they were stored. Holds no part
 * bytes; read them with {@link MessageStore#read} or {@link MessageStore#reader}.
 *
 * @param ref the message's reference
 * @param parts the parts, {@code parts.get(i).index() == i}
 */
public record OpenedMessage(MessageRef ref, List<PartInfo> parts) {
  /** Copies the list. */
  public OpenedMessage {
    parts = List.copyOf(parts);
  }

  /** Sum of the parts' lengths. */
  public long length() {
    long n = 0;
    for (PartInfo p : parts) {
      n += p.length();
    }
    return n;
  }

  /** The first part with {@code role}, or null. */
  public PartInfo first(PartRole role) {
    for (PartInfo p : parts) {
      if (p.role() == role) {
        return p;
      }
    }
    return null;
  }
}
