package org.epost.crypto.api;

import java.time.Instant;
import java.util.Objects;

/**
 * The authenticated contents of a sealed envelope, as only its recipient sees them: who signed it,
 * when the sender says it was sealed, the sender's random nonce (for replay detection) and the
 * payload. Arrays are not copied.
 */
public record OpenedEnvelope(
    SigningPublicKey sender, Instant timestamp, byte[] nonce, byte[] payload) {
  /** Validates non-null components. */
  public OpenedEnvelope {
    Objects.requireNonNull(sender, "sender");
    Objects.requireNonNull(timestamp, "timestamp");
    Objects.requireNonNull(nonce, "nonce");
    Objects.requireNonNull(payload, "payload");
  }
}
