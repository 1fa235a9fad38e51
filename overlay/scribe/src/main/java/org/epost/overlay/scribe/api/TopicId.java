package org.epost.overlay.scribe.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import org.epost.overlay.api.Id;

/**
 * The identity of a Scribe topic: a key on the Pastry ring. The node numerically closest to it is
 * the root of the topic's tree. Immutable.
 */
public final class TopicId {
  private final Id id;

  private TopicId(Id id) {
    this.id = Objects.requireNonNull(id, "id");
  }

  /** A topic whose key is {@code id} as given (e.g. derived by the application from a user key). */
  public static TopicId of(Id id) {
    return new TopicId(id);
  }

  /**
   * The topic named {@code name}: its key is the first 160 bits of SHA-256 over the UTF-8 bytes of
   * the name, so every node derives the same key from the same name.
   */
  public static TopicId named(String name) {
    Objects.requireNonNull(name, "name");
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
      return new TopicId(Id.fromBytes(Arrays.copyOf(digest, Id.BYTES)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** The topic's key on the ring. */
  public Id id() {
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TopicId && ((TopicId) o).id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "topic" + id;
  }
}
