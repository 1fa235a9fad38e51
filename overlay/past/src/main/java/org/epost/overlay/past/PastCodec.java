package org.epost.overlay.past;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastObject;

/**
 * PAST's wire format, version 1: version (1) | type (1) | body. Objects are kind (1) | id (20) |
 * expiry (8) | length (4) | bytes. Every expiry (objects, renewals) is a wall time in milliseconds
 * since the epoch (ADR 0092). Decoding is bounded: objects by {@link PastObject#MAX_BYTES},
 * candidate lists by {@link #MAX_CANDIDATES}, Bloom filters by {@link BloomFilter#MAX_WORDS}; a
 * malformed payload raises {@link MalformedFrameException} and is dropped by the caller.
 */
final class PastCodec {
  static final int VERSION = 1;
  static final int MAX_CANDIDATES = 16;

  private static final int INSERT = 1;
  private static final int STORE = 2;
  private static final int STORE_ACK = 3;
  private static final int OP_RESULT = 4;
  private static final int LOOKUP = 5;
  private static final int FETCH = 6;
  private static final int FETCH_REPLY = 7;
  private static final int RENEW = 8;
  private static final int RENEW_REPLICA = 9;
  private static final int SYNC = 10;
  private static final int OFFER = 11;
  private static final int PULL = 12;
  private static final int AUDIT = 13;
  private static final int AUDIT_REPLY = 14;
  static final int MAX_IDS = 256;

  private PastCodec() {}

  static byte[] encode(PastMessage m) {
    ByteBuffer b = ByteBuffer.allocate(size(m));
    b.put((byte) VERSION);
    if (m instanceof PastMessage.Insert x) {
      b.put((byte) INSERT).putLong(x.requestId());
      writeObject(b, x.object());
    } else if (m instanceof PastMessage.Store x) {
      b.put((byte) STORE).putLong(x.operationId()).putLong(x.nonce());
      writeObject(b, x.object());
    } else if (m instanceof PastMessage.StoreAck x) {
      b.put((byte) STORE_ACK)
          .putLong(x.operationId())
          .put((byte) x.status())
          .put((byte) x.proof().length)
          .put(x.proof());
    } else if (m instanceof PastMessage.OpResult x) {
      b.put((byte) OP_RESULT).putLong(x.requestId()).put((byte) x.stored()).put((byte) x.status());
    } else if (m instanceof PastMessage.Lookup x) {
      b.put((byte) LOOKUP).putLong(x.requestId());
      x.id().write(b);
    } else if (m instanceof PastMessage.Fetch x) {
      b.put((byte) FETCH).putLong(x.requestId());
      x.id().write(b);
    } else if (m instanceof PastMessage.FetchReply x) {
      b.put((byte) FETCH_REPLY).putLong(x.requestId());
      x.id().write(b);
      b.put((byte) (x.object() == null ? 0 : 1));
      if (x.object() != null) {
        writeObject(b, x.object());
      }
      b.put((byte) x.candidates().size());
      for (NodeHandle h : x.candidates()) {
        h.write(b);
      }
    } else if (m instanceof PastMessage.Renew x) {
      b.put((byte) RENEW).putLong(x.requestId());
      x.id().write(b);
      b.putLong(x.expiryMillis());
    } else if (m instanceof PastMessage.RenewReplica x) {
      b.put((byte) RENEW_REPLICA).putLong(x.operationId());
      x.id().write(b);
      b.putLong(x.expiryMillis());
    } else if (m instanceof PastMessage.Sync x) {
      b.put((byte) SYNC);
      x.from().write(b);
      x.to().write(b);
      BloomFilter f = x.filter();
      b.putLong(f.salt()).put((byte) f.hashes()).putShort((short) f.words().length);
      for (long w : f.words()) {
        b.putLong(w);
      }
    } else if (m instanceof PastMessage.Offer x) {
      b.put((byte) OFFER).putShort((short) x.ids().size());
      for (int i = 0; i < x.ids().size(); i++) {
        x.ids().get(i).write(b);
        b.putLong(x.versions()[i]);
      }
    } else if (m instanceof PastMessage.Audit x) {
      b.put((byte) AUDIT).putLong(x.nonce()).putShort((short) x.ids().size());
      for (int i = 0; i < x.ids().size(); i++) {
        x.ids().get(i).write(b);
        b.putLong(x.versions()[i]);
      }
    } else if (m instanceof PastMessage.AuditReply x) {
      b.put((byte) AUDIT_REPLY).putLong(x.nonce()).putShort((short) x.proofs().size());
      for (byte[] p : x.proofs()) {
        b.put((byte) p.length).put(p);
      }
    } else if (m instanceof PastMessage.Pull x) {
      b.put((byte) PULL).putShort((short) x.ids().size());
      for (Id id : x.ids()) {
        id.write(b);
      }
    }
    return b.array();
  }

  private static int size(PastMessage m) {
    int s = 2;
    if (m instanceof PastMessage.Insert x) {
      s += 8 + objectSize(x.object());
    } else if (m instanceof PastMessage.Store x) {
      s += 16 + objectSize(x.object());
    } else if (m instanceof PastMessage.StoreAck x) {
      checkProof(x.proof());
      s += 10 + x.proof().length;
    } else if (m instanceof PastMessage.Audit x) {
      checkIds(x.ids().size());
      s += 8 + 2 + x.ids().size() * (Id.BYTES + 8);
    } else if (m instanceof PastMessage.AuditReply x) {
      checkIds(x.proofs().size());
      s += 8 + 2;
      for (byte[] p : x.proofs()) {
        checkProof(p);
        s += 1 + p.length;
      }
    } else if (m instanceof PastMessage.OpResult) {
      s += 10;
    } else if (m instanceof PastMessage.Lookup || m instanceof PastMessage.Fetch) {
      s += 8 + Id.BYTES;
    } else if (m instanceof PastMessage.FetchReply x) {
      s += 8 + Id.BYTES + 1 + (x.object() == null ? 0 : objectSize(x.object())) + 1;
      if (x.candidates().size() > MAX_CANDIDATES) {
        throw new IllegalArgumentException("at most " + MAX_CANDIDATES + " candidates");
      }
      for (NodeHandle h : x.candidates()) {
        s += h.encodedLength();
      }
    } else if (m instanceof PastMessage.Renew || m instanceof PastMessage.RenewReplica) {
      s += 8 + Id.BYTES + 8;
    } else if (m instanceof PastMessage.Offer x) {
      checkIds(x.ids().size());
      s += 2 + x.ids().size() * (Id.BYTES + 8);
    } else if (m instanceof PastMessage.Pull x) {
      checkIds(x.ids().size());
      s += 2 + x.ids().size() * Id.BYTES;
    } else if (m instanceof PastMessage.Sync x) {
      s += 2 * Id.BYTES + 8 + 1 + 2 + 8 * x.filter().words().length;
    }
    return s;
  }

  private static void checkIds(int n) {
    if (n > MAX_IDS) {
      throw new IllegalArgumentException("at most " + MAX_IDS + " ids per message, got " + n);
    }
  }

  private static void checkProof(byte[] p) {
    if (p.length > AuditProof.LENGTH) {
      throw new IllegalArgumentException(
          "a proof has at most " + AuditProof.LENGTH + " bytes, got " + p.length);
    }
  }

  private static byte[] readProof(ByteBuffer b) throws MalformedFrameException {
    int n = b.get() & 0xFF;
    MalformedFrameException.require(n <= AuditProof.LENGTH, "proof of " + n + " bytes");
    MalformedFrameException.require(b.remaining() >= n, "truncated proof");
    byte[] p = new byte[n];
    b.get(p);
    return p;
  }

  private static int objectSize(PastObject o) {
    return 1 + Id.BYTES + 8 + 4 + o.size();
  }

  private static void writeObject(ByteBuffer b, PastObject o) {
    b.put((byte) o.kind().code());
    o.id().write(b);
    b.putLong(o.expiryMillis()).putInt(o.size()).put(o.bytesUnsafe());
  }

  /**
   * The object an Insert, Store or FetchReply payload carries, else null (also for malformed
   * payloads).
   */
  static PastObject carriedObject(byte[] payload) {
    if (payload.length < 2
        || (payload[1] != INSERT && payload[1] != STORE && payload[1] != FETCH_REPLY)) {
      return null;
    }
    try {
      PastMessage m = decode(payload);
      if (m instanceof PastMessage.Insert x) {
        return x.object();
      } else if (m instanceof PastMessage.Store x) {
        return x.object();
      } else if (m instanceof PastMessage.FetchReply x) {
        return x.object();
      }
      return null;
    } catch (MalformedFrameException e) {
      return null;
    }
  }

  static PastMessage decode(byte[] payload) throws MalformedFrameException {
    try {
      ByteBuffer b = ByteBuffer.wrap(payload);
      MalformedFrameException.require(b.remaining() >= 2, "PAST message shorter than its header");
      int version = b.get() & 0xFF;
      MalformedFrameException.require(
          version == VERSION, "unknown PAST message version " + version);
      int type = b.get() & 0xFF;
      PastMessage m =
          switch (type) {
            case INSERT -> new PastMessage.Insert(b.getLong(), readObject(b));
            case STORE -> new PastMessage.Store(b.getLong(), b.getLong(), readObject(b));
            case STORE_ACK -> new PastMessage.StoreAck(b.getLong(), b.get() & 0xFF, readProof(b));
            case AUDIT -> {
              long nonce = b.getLong();
              int n = b.getShort() & 0xFFFF;
              MalformedFrameException.require(n <= MAX_IDS, "audit of " + n + " ids");
              MalformedFrameException.require(
                  b.remaining() >= n * (Id.BYTES + 8), "truncated audit");
              List<Id> ids = new ArrayList<>(n);
              long[] versions = new long[n];
              for (int i = 0; i < n; i++) {
                ids.add(Id.read(b));
                versions[i] = b.getLong();
              }
              yield new PastMessage.Audit(nonce, ids, versions);
            }
            case AUDIT_REPLY -> {
              long nonce = b.getLong();
              int n = b.getShort() & 0xFFFF;
              MalformedFrameException.require(n <= MAX_IDS, "audit reply of " + n + " proofs");
              List<byte[]> proofs = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                proofs.add(readProof(b));
              }
              yield new PastMessage.AuditReply(nonce, proofs);
            }
            case OP_RESULT -> new PastMessage.OpResult(b.getLong(), b.get() & 0xFF, b.get() & 0xFF);
            case LOOKUP -> new PastMessage.Lookup(b.getLong(), Id.read(b));
            case FETCH -> new PastMessage.Fetch(b.getLong(), Id.read(b));
            case FETCH_REPLY -> {
              long req = b.getLong();
              Id id = Id.read(b);
              int has = b.get();
              MalformedFrameException.require(has == 0 || has == 1, "bad object flag " + has);
              PastObject o = has == 1 ? readObject(b) : null;
              int n = b.get() & 0xFF;
              MalformedFrameException.require(n <= MAX_CANDIDATES, "too many candidates: " + n);
              List<NodeHandle> c = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                c.add(NodeHandle.read(b));
              }
              yield new PastMessage.FetchReply(req, id, o, c);
            }
            case RENEW -> new PastMessage.Renew(b.getLong(), Id.read(b), b.getLong());
            case RENEW_REPLICA ->
                new PastMessage.RenewReplica(b.getLong(), Id.read(b), b.getLong());
            case SYNC -> {
              Id from = Id.read(b);
              Id to = Id.read(b);
              long salt = b.getLong();
              int hashes = b.get() & 0xFF;
              int words = b.getShort() & 0xFFFF;
              MalformedFrameException.require(
                  words >= 1 && words <= BloomFilter.MAX_WORDS,
                  "bloom filter of " + words + " words");
              MalformedFrameException.require(
                  hashes >= 1 && hashes <= BloomFilter.MAX_HASHES,
                  "bloom filter with " + hashes + " hashes");
              MalformedFrameException.require(b.remaining() >= words * 8, "truncated bloom filter");
              long[] w = new long[words];
              for (int i = 0; i < words; i++) {
                w[i] = b.getLong();
              }
              yield new PastMessage.Sync(from, to, new BloomFilter(salt, hashes, w));
            }
            case OFFER -> {
              int n = b.getShort() & 0xFFFF;
              MalformedFrameException.require(n <= MAX_IDS, "offer of " + n + " ids");
              MalformedFrameException.require(
                  b.remaining() >= n * (Id.BYTES + 8), "truncated offer");
              List<Id> ids = new ArrayList<>(n);
              long[] versions = new long[n];
              for (int i = 0; i < n; i++) {
                ids.add(Id.read(b));
                versions[i] = b.getLong();
              }
              yield new PastMessage.Offer(ids, versions);
            }
            case PULL -> {
              int n = b.getShort() & 0xFFFF;
              MalformedFrameException.require(n <= MAX_IDS, "pull of " + n + " ids");
              MalformedFrameException.require(b.remaining() >= n * Id.BYTES, "truncated pull");
              List<Id> ids = new ArrayList<>(n);
              for (int i = 0; i < n; i++) {
                ids.add(Id.read(b));
              }
              yield new PastMessage.Pull(ids);
            }
            default -> throw new MalformedFrameException("unknown PAST message type " + type);
          };
      MalformedFrameException.require(
          !b.hasRemaining(), "trailing bytes after PAST message type " + type);
      return m;
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated PAST message");
    }
  }

  private static PastObject readObject(ByteBuffer b) throws MalformedFrameException {
    ObjectKind kind = ObjectKind.ofCode(b.get());
    MalformedFrameException.require(kind != null, "unknown object kind");
    Id id = Id.read(b);
    long expiry = b.getLong();
    int len = b.getInt();
    MalformedFrameException.require(
        len >= 0 && len <= PastObject.MAX_BYTES, "object length " + len);
    MalformedFrameException.require(b.remaining() >= len, "truncated object");
    byte[] bytes = new byte[len];
    b.get(bytes);
    return PastObject.unverified(kind, id, bytes, expiry);
  }
}
