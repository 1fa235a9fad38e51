package org.epost.crypto.api;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * A node's private identity: one Ed25519 key pair that authenticates the node's connections and
 * signs its routing messages. See {@link NodeId} for how ids relate to keys.
 */
public record NodeIdentity(SigningKeyPair signing) {
  /** Validates a non-null key pair. */
  public NodeIdentity {
    Objects.requireNonNull(signing, "signing");
  }

  /** A fresh identity. */
  public static NodeIdentity generate(SecureRandom random) {
    return new NodeIdentity(SigningKeyPair.generate(random));
  }

  /** The id derived from this node's public key ({@link NodeId#fromPublicKey}). */
  public NodeId derivedId() {
    return NodeId.fromPublicKey(signing.publicKey());
  }
}
