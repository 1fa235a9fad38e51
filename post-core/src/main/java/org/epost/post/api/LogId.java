package org.epost.post.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.regex.Pattern;
import org.epost.crypto.api.SigningPublicKey;

/**
 * Names one signed single-writer log: the owner's signing key, the writing device and the log's
 * name (for example {@code "account"} or {@code "folder.INBOX"}). Exactly one device writes a log;
 * a second device of the same user writes logs of its own, which readers merge (ADR 0102). The
 * log's head is PAST mutable object {@link #label()} of {@link #owner()}.
 *
 * <p>Device ids and names are 1..24 characters of {@code [A-Za-z0-9._-]}, so a label is at most 53
 * ASCII bytes (PAST labels are at most 64). Immutable and thread-safe.
 */
public record LogId(SigningPublicKey owner, String device, String name) {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,24}");

  public LogId {
    Objects.requireNonNull(owner, "owner");
    if (device == null || !PART.matcher(device).matches()) {
      throw new IllegalArgumentException("device id must be 1..24 of [A-Za-z0-9._-]: " + device);
    }
    if (name == null || !PART.matcher(name).matches()) {
      throw new IllegalArgumentException("log name must be 1..24 of [A-Za-z0-9._-]: " + name);
    }
  }

  /** The head's PAST label, {@code "log/<device>/<name>"}, as ASCII bytes. */
  public byte[] label() {
    return ("log/" + device + "/" + name).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public String toString() {
    return "log " + device + "/" + name + " of " + owner;
  }
}
