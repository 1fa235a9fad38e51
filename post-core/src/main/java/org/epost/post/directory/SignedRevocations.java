package org.epost.post.directory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.scribe.api.TopicId;

/**
 * The ring's newest revocation list as it travels (ADR 0109): a PAST mutable object of the
 * authority's key with label {@value #LABEL}, whose signed sequence is the list's version and whose
 * data is the list's encoding (itself signed by the authority). The same bytes are stored in PAST,
 * pushed on the ring's revocation topic and kept in a node's directory state. Immutable.
 *
 * @param object the verified PAST object
 * @param list the list it carries, signed by the authority, of version {@code object.sequence()}
 */
public record SignedRevocations(PastObject object, RevocationList list) {
  /** The label of the list's mutable object under the authority's key. */
  public static final String LABEL = "epost/revocations";

  /**
   * Revoked serials one list may carry: the signed object must fit one Scribe publication (32 KiB
   * by default) as well as one PAST object. Serials of expired certificates need not be listed.
   */
  public static final int MAX_SERIALS = 3_500;

  /** Largest encoded object accepted from the ring or the disk. */
  public static final int MAX_BYTES = 30 * 1024;

  /** How long a list's object is leased: as long as any certificate it could list is valid. */
  public static final Duration LEASE = DirectoryAuthority.MAX_VALIDITY;

  public SignedRevocations {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(list, "list");
  }

  /** The list's version (the object's signed sequence). */
  public long version() {
    return list.version();
  }

  /** The id of the ring's revocation object: computable from the authority's key alone. */
  public static Id id(SigningPublicKey authority) {
    return PastObject.mutableId(authority, LABEL.getBytes(StandardCharsets.US_ASCII));
  }

  /** The ring's revocation topic: every node subscribes to it; new lists are pushed on it. */
  public static TopicId topic(SigningPublicKey authority) {
    return TopicId.of(
        PastObject.mutableId(
            authority, "epost/revocations-topic".getBytes(StandardCharsets.US_ASCII)));
  }

  /**
   * Signs list {@code version} of {@code serials} at {@code now} and wraps it in the ring's
   * revocation object (for the authority's tool).
   *
   * @throws IllegalArgumentException beyond {@link #MAX_SERIALS} serials or a negative version
   */
  public static SignedRevocations sign(
      SigningKeyPair authority, long version, Instant now, Collection<Long> serials) {
    if (serials.size() > MAX_SERIALS) {
      throw new IllegalArgumentException(
          "a distributed revocation list holds at most "
              + MAX_SERIALS
              + " serials (drop those of expired certificates), not "
              + serials.size());
    }
    if (version < 1) {
      throw new IllegalArgumentException("revocation list versions start at 1");
    }
    RevocationList list = RevocationList.issue(authority, version, now, serials);
    PastObject o =
        PastObject.mutable(
            authority,
            LABEL.getBytes(StandardCharsets.US_ASCII),
            version,
            list.encode(),
            now.plus(LEASE).toEpochMilli());
    return new SignedRevocations(o, list);
  }

  /**
   * Checks bytes received from the ring (a publication, a PAST read) or the disk: a mutable object
   * under this ring's revocation id (so signed by {@code authority}), carrying a list signed by
   * {@code authority} whose version is the object's sequence, within the bounds.
   *
   * @throws CryptoException naming what is wrong
   */
  public static SignedRevocations decode(byte[] bytes, SigningPublicKey authority)
      throws CryptoException {
    if (bytes.length > MAX_BYTES) {
      throw new CryptoFormatException(
          "a revocation object of " + bytes.length + " bytes (bound " + MAX_BYTES + ")");
    }
    PastObject o;
    try {
      o = PastObject.unverified(ObjectKind.MUTABLE, id(authority), bytes, 0).verify();
    } catch (PastException | IllegalArgumentException e) {
      throw new CryptoFormatException("not this ring's revocation object: " + e.getMessage());
    }
    return of(o, authority);
  }

  /** Checks a verified PAST object read under {@link #id}. */
  public static SignedRevocations of(PastObject o, SigningPublicKey authority)
      throws CryptoException {
    if (!o.id().equals(id(authority)) || o.kind() != ObjectKind.MUTABLE) {
      throw new CryptoFormatException("not this ring's revocation object: " + o.id());
    }
    if (o.size() > MAX_BYTES) {
      throw new CryptoFormatException(
          "a revocation object of " + o.size() + " bytes (bound " + MAX_BYTES + ")");
    }
    RevocationList list = RevocationList.decode(o.data());
    if (!list.isSignedBy(authority)) {
      throw new CryptoFormatException("the revocation list is not signed by this ring's authority");
    }
    if (list.version() != o.sequence()) {
      throw new CryptoFormatException(
          "revocation list version " + list.version() + " in object version " + o.sequence());
    }
    if (list.size() > MAX_SERIALS) {
      throw new CryptoFormatException(
          "a revocation list of " + list.size() + " serials (bound " + MAX_SERIALS + ")");
    }
    return new SignedRevocations(o, list);
  }
}
