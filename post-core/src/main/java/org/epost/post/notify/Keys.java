package org.epost.post.notify;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Id;
import org.epost.overlay.scribe.api.TopicId;

/** The keys the service derives (ADR 0103). */
final class Keys {
  static final int ITEM_ID = 16;
  static final int TOKEN = 16;

  private Keys() {}

  /** A user's inbox key: the first 160 bits of SHA-256("epost/inbox" || signing key). */
  static Id inbox(SigningPublicKey user) {
    return Id.fromBytes(Arrays.copyOf(hash("epost/inbox", user.toBytes()), Id.BYTES));
  }

  /** A user's notification topic: SHA-256("epost/notify-topic" || signing key), 160 bits. */
  static TopicId topic(SigningPublicKey user) {
    return TopicId.of(
        Id.fromBytes(Arrays.copyOf(hash("epost/notify-topic", user.toBytes()), Id.BYTES)));
  }

  /**
   * The sender's rate token towards one recipient: SHA-256(secret || inbox key), 128 bits, where
   * the secret is SHA-256 of the sender's (deterministic, Ed25519) signature over a constant.
   * Stable per (sender, recipient), so storers can count per sender; without the secret nobody can
   * link it to the sender or to the sender's tokens towards other recipients.
   */
  static byte[] rateToken(SigningKeyPair sender, Id recipientInbox) {
    return rateToken(rateTokenSecret(sender), recipientInbox);
  }

  /**
   * The sender's rate-token secret (see {@link #rateToken(SigningKeyPair, Id)}): one signature, the
   * same every time, so a service computes it once rather than once per notification.
   */
  static byte[] rateTokenSecret(SigningKeyPair sender) {
    return Sha256.hash(
        sender.sign("epost/rate-token-secret/v1".getBytes(StandardCharsets.US_ASCII)));
  }

  /** The rate token from a secret {@link #rateTokenSecret} made. */
  static byte[] rateToken(byte[] secret, Id recipientInbox) {
    MessageDigest d = Sha256.get();
    d.update(secret);
    d.update(recipientInbox.toBytes());
    return Arrays.copyOf(d.digest(), TOKEN);
  }

  /** An item's id: the first 128 bits of SHA-256 of its sealed bytes (storers check it). */
  static byte[] itemId(byte[] sealed) {
    return Arrays.copyOf(Sha256.hash(sealed), ITEM_ID);
  }

  private static byte[] hash(String label, byte[] data) {
    MessageDigest d = Sha256.get();
    d.update(label.getBytes(StandardCharsets.US_ASCII));
    d.update(data);
    return d.digest();
  }
}
