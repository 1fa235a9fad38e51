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
 * v1: 1 kind (1 notification, 2 receipt, 3 a batch of notifications, ADR 0138), 2 notification ids
 * (16 bytes each: one for a notification, 1..256 for a receipt, 2..{@value #MAX_BATCH} for a
 * batch), 3 the signer's address, 4 the signer's certificate serial, 5 message reference, 6 part
 * summary (both empty in a receipt; in a batch, one per id, in order, each as a 2-byte big-endian
 * length and its bytes).
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
  static final int BATCH = 3;
  static final int MAX_RECEIPT_IDS = 256;
  static final int MAX_BATCH = 64;

  /** One notification of a payload: its id, message reference and part summary. */
  record Entry(NotificationId id, byte[] reference, byte[] summary) {}

  static Payload notification(
      NotificationId id, String address, long serial, byte[] reference, byte[] summary) {
    return new Payload(NOTIFICATION, List.of(id), address, serial, reference, summary);
  }

  /** One payload for several notifications to one recipient (2..{@value #MAX_BATCH} entries). */
  static Payload batch(List<Entry> entries, String address, long serial) {
    if (entries.size() < 2 || entries.size() > MAX_BATCH) {
      throw new IllegalArgumentException("a batch holds 2.." + MAX_BATCH + " notifications");
    }
    List<NotificationId> ids = new ArrayList<>();
    java.io.ByteArrayOutputStream refs = new java.io.ByteArrayOutputStream();
    java.io.ByteArrayOutputStream sums = new java.io.ByteArrayOutputStream();
    for (Entry e : entries) {
      ids.add(e.id());
      pack(refs, e.reference());
      pack(sums, e.summary());
    }
    return new Payload(BATCH, ids, address, serial, refs.toByteArray(), sums.toByteArray());
  }

  /** The encoded size of a batch entry's reference and summary (for the sender's byte bound). */
  static int batchBytes(byte[] reference, byte[] summary) {
    return NotificationId.LENGTH + 4 + reference.length + summary.length;
  }

  private static void pack(java.io.ByteArrayOutputStream out, byte[] b) {
    if (b.length > 0xffff) {
      throw new IllegalArgumentException("a batch entry is at most 65,535 bytes");
    }
    out.write(b.length >>> 8);
    out.write(b.length & 0xff);
    out.write(b, 0, b.length);
  }

  /** The notifications this payload carries (one for kind 1, several for a batch). */
  List<Entry> entries() throws CryptoFormatException {
    if (kind == NOTIFICATION) {
      return List.of(new Entry(ids.get(0), reference, summary));
    }
    if (kind != BATCH) {
      return List.of();
    }
    List<byte[]> refs = unpack(reference, ids.size());
    List<byte[]> sums = unpack(summary, ids.size());
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      out.add(new Entry(ids.get(i), refs.get(i), sums.get(i)));
    }
    return out;
  }

  private static List<byte[]> unpack(byte[] packed, int count) throws CryptoFormatException {
    List<byte[]> out = new ArrayList<>();
    int at = 0;
    for (int i = 0; i < count; i++) {
      if (at + 2 > packed.length) {
        throw new CryptoFormatException("a batch's entries are cut short");
      }
      int n = ((packed[at] & 0xff) << 8) | (packed[at + 1] & 0xff);
      at += 2;
      if (at + n > packed.length) {
        throw new CryptoFormatException("a batch's entries are cut short");
      }
      out.add(java.util.Arrays.copyOfRange(packed, at, at + n));
      at += n;
    }
    if (at != packed.length) {
      throw new CryptoFormatException("a batch holds bytes after its entries");
    }
    return out;
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
    if (kind != NOTIFICATION && kind != RECEIPT && kind != BATCH) {
      throw new CryptoFormatException("unknown notification kind " + kind);
    }
    int maxIds = kind == NOTIFICATION ? 1 : kind == BATCH ? MAX_BATCH : MAX_RECEIPT_IDS;
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
    int batch = kind == BATCH ? ids.size() : 1;
    if (kind == BATCH && batch < 2) {
      throw new CryptoFormatException("a batch holds at least two notifications");
    }
    int slack = kind == BATCH ? 2 : 0; // a batch's 2-byte lengths
    byte[] reference = r.bytes(5, 0, batch * (config.maxReferenceBytes() + slack));
    byte[] summary = r.bytes(6, 0, batch * (config.maxSummaryBytes() + slack));
    r.end();
    Payload p = new Payload(kind, ids, address, serial, reference, summary);
    if (kind == BATCH) {
      for (Entry e : p.entries()) { // checks the packing and each entry's bound
        if (e.reference().length > config.maxReferenceBytes()
            || e.summary().length > config.maxSummaryBytes()) {
          throw new CryptoFormatException("a batch entry is over the reference or summary bound");
        }
      }
    }
    return p;
  }
}
