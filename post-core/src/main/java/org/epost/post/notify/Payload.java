package org.epost.post.notify;

import java.util.ArrayList;
import java.util.List;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.post.api.NotificationId;

/**
 * What the sender seals (the sealed envelope adds the sender's key, the recipient's key, the
 * timestamp, a replay nonce and the signature, ADR 0014). Encoding {@code "epost/notify-payload"}
 * v1: 1 kind (1 notification, 2 receipt), 2 notification ids (16 bytes each: one for a
 * notification, 1..256 for a receipt), 3 the signer's address, 4 the signer's certificate serial, 5
 * message reference, 6 part summary (both empty in a receipt).
 */
record Payload(
    int kind,
    List<NotificationId> ids,
    String address,
    long serial,
    byte[] reference,
    byte[] summary) {
  static final String CONTEXT = "epost/notify-payload";
  static final int NOTIFICATION = 1;
  static final int RECEIPT = 2;
  static final int MAX_RECEIPT_IDS = 256;

  static Payload notification(
      NotificationId id, String address, long serial, byte[] reference, byte[] summary) {
    return new Payload(NOTIFICATION, List.of(id), address, serial, reference, summary);
  }

  static Payload receipt(List<NotificationId> ids, String address, long serial) {
    return new Payload(RECEIPT, List.copyOf(ids), address, serial, new byte[0], new byte[0]);
  }

  byte[] encode() {
    byte[] packed = new byte[ids.size() * NotificationId.LENGTH];
    for (int i = 0; i < ids.size(); i++) {
      System.arraycopy(
          ids.get(i).toBytes(), 0, packed, i * NotificationId.LENGTH, NotificationId.LENGTH);
    }
    return CanonicalWriter.start(CONTEXT, 1)
        .u8(1, kind)
        .bytes(2, packed)
        .text(3, address)
        .u64(4, serial)
        .bytes(5, reference)
        .bytes(6, summary)
        .toByteArray();
  }

  static Payload decode(byte[] bytes, NotifyConfig config) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(bytes, CONTEXT, 1);
    int kind = r.u8(1);
    if (kind != NOTIFICATION && kind != RECEIPT) {
      throw new CryptoFormatException("unknown notification kind " + kind);
    }
    int maxIds = kind == NOTIFICATION ? 1 : MAX_RECEIPT_IDS;
    byte[] packed = r.bytes(2, NotificationId.LENGTH, maxIds * NotificationId.LENGTH);
    if (packed.length % NotificationId.LENGTH != 0) {
      throw new CryptoFormatException("notification ids are 16 bytes each");
    }
    List<NotificationId> ids = new ArrayList<>();
    for (int i = 0; i < packed.length; i += NotificationId.LENGTH) {
      ids.add(
          NotificationId.of(java.util.Arrays.copyOfRange(packed, i, i + NotificationId.LENGTH)));
    }
    String address = r.text(3, 3, 254);
    long serial = r.u64(4);
    byte[] reference = r.bytes(5, 0, config.maxReferenceBytes());
    byte[] summary = r.bytes(6, 0, config.maxSummaryBytes());
    r.end();
    return new Payload(kind, ids, address, serial, reference, summary);
  }
}
