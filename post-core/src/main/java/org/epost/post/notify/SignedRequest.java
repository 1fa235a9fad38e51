package org.epost.post.notify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.overlay.api.Id;

/**
 * A recipient's signed request to its own storers: FETCH (hand my items to this node) or ACK
 * (delete these items). Encoding {@code "epost/notify-request"} v1: 1 kind (1 fetch, 2 ack), 2 the
 * recipient's signing key, 3 requester (the node to answer: its 20-byte id; the storer answers the
 * handle it got with that id), 4 wall time (ms), 5 random nonce (16), 6 item ids (16 bytes each,
 * empty in a fetch), 15 signature over fields 1..6. A storer accepts it only if SHA-256 of the key
 * gives the inbox key it is asked about: only the owner can fetch or delete its items.
 */
record SignedRequest(
    int kind,
    SigningPublicKey owner,
    Id requester,
    long wallMillis,
    byte[] nonce,
    List<byte[]> itemIds,
    byte[] encoded) {
  static final String CONTEXT = "epost/notify-request";
  static final int FETCH = 1;
  static final int ACK = 2;
  static final int MAX_IDS = 256;

  static SignedRequest sign(
      int kind,
      SigningKeyPair owner,
      Id requester,
      long wallMillis,
      byte[] nonce,
      List<byte[]> itemIds) {
    byte[] packed = new byte[itemIds.size() * Keys.ITEM_ID];
    for (int i = 0; i < itemIds.size(); i++) {
      System.arraycopy(itemIds.get(i), 0, packed, i * Keys.ITEM_ID, Keys.ITEM_ID);
    }
    CanonicalWriter w =
        CanonicalWriter.start(CONTEXT, 1)
            .u8(1, kind)
            .bytes(2, owner.publicKey().toBytes())
            .bytes(3, requester.toBytes())
            .u64(4, wallMillis)
            .bytes(5, nonce)
            .bytes(6, packed);
    byte[] sig = owner.sign(w.toByteArray());
    byte[] encoded = w.bytes(15, sig).toByteArray();
    return new SignedRequest(
        kind, owner.publicKey(), requester, wallMillis, nonce, List.copyOf(itemIds), encoded);
  }

  /** Decodes and checks the signature (not freshness, not the inbox key). */
  static SignedRequest verify(byte[] encoded) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(encoded, CONTEXT, 1);
    int kind = r.u8(1);
    if (kind != FETCH && kind != ACK) {
      throw new CryptoFormatException("unknown request kind " + kind);
    }
    SigningPublicKey owner = SigningPublicKey.fromBytes(r.bytes(2, 32));
    Id requester = Id.fromBytes(r.bytes(3, Id.BYTES));
    long wall = r.u64(4);
    byte[] nonce = r.bytes(5, 16);
    byte[] packed = r.bytes(6, 0, MAX_IDS * Keys.ITEM_ID);
    if (packed.length % Keys.ITEM_ID != 0) {
      throw new CryptoFormatException("item ids are 16 bytes each");
    }
    int signed = r.position();
    byte[] sig = r.bytes(15, SigningPublicKey.SIGNATURE_LENGTH);
    r.end();
    if (!owner.verify(encoded, 0, signed, sig)) {
      throw new VerificationException("request signature does not verify");
    }
    List<byte[]> ids = new ArrayList<>();
    for (int i = 0; i < packed.length; i += Keys.ITEM_ID) {
      ids.add(Arrays.copyOfRange(packed, i, i + Keys.ITEM_ID));
    }
    return new SignedRequest(kind, owner, requester, wall, nonce, ids, encoded.clone());
  }
}
