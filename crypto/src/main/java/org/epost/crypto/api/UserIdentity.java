package org.epost.crypto.api;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * A user's private identity: an Ed25519 key pair that signs (log heads, notifications) and an
 * X25519 key pair that receives sealed payloads. The ring authority binds both public keys to the
 * user's address in a {@link UserCertificate}.
 */
public record UserIdentity(SigningKeyPair signing, AgreementKeyPair encryption) {
  /** Validates non-null components. */
  public UserIdentity {
    Objects.requireNonNull(signing, "signing");
    Objects.requireNonNull(encryption, "encryption");
  }

  /** A fresh identity. */
  public static UserIdentity generate(SecureRandom random) {
    return new UserIdentity(SigningKeyPair.generate(random), AgreementKeyPair.generate(random));
  }
}
