package org.epost.mail.mailbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageRef;

/**
 * The operations of an account's logs and their encodings (big-endian, each starting with its type
 * byte). Decoding treats its input as untrusted (logs are signed by the owner, but a bug on another
 * device must not crash this one): it throws {@link IllegalArgumentException} on anything malformed
 * and the caller skips the operation.
 *
 * <p>Folder-list log: CREATE (1: folder id 16 bytes, name, special use or "", UIDVALIDITY), RENAME
 * (2: id, new name), DELETE (3: id), SUBSCRIBE (4: name, on). Folder log: ADD (10: UID, internal
 * date, flags, message reference, size, layout, lease expiry, added header), FLAGS (11: mode,
 * flags, UID ranges), EXPUNGE (12: UID ranges).
 */
final class Ops {
  private Ops() {}

  static final int CREATE = 1;
  static final int RENAME = 2;
  static final int DELETE = 3;
  static final int SUBSCRIBE = 4;
  static final int ADD = 10;
  static final int FLAGS = 11;
  static final int EXPUNGE = 12;

  /** UID ranges per FLAGS or EXPUNGE operation (an operation stays under 8 KiB). */
  static final int MAX_RANGES = 300;

  /** Largest added header of a copy. */
  static final int MAX_ADDED_HEADER = 4096;

  /** Largest total length of a message's flags. */
  static final int MAX_FLAG_BYTES = 1024;

  record Create(byte[] id, String name, String specialUse, long uidValidity) {}

  record Rename(byte[] id, String name) {}

  record Delete(byte[] id) {}

  record Subscribe(String name, boolean on) {}

  record Add(long uid, long internalDate, Set<String> flags, StoredMail mail, byte[] addedHeader) {}

  /** mode: 0 add, 1 remove, 2 replace. */
  record Flags(int mode, Set<String> flags, List<long[]> ranges) {}

  record Expunge(List<long[]> ranges) {}

  static byte[] encode(Object op) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
      DataOutputStream out = new DataOutputStream(bytes);
      if (op instanceof Create c) {
        out.writeByte(CREATE);
        out.write(c.id);
        text(out, c.name);
        text(out, c.specialUse);
        out.writeLong(c.uidValidity);
      } else if (op instanceof Rename r) {
        out.writeByte(RENAME);
        out.write(r.id);
        text(out, r.name);
      } else if (op instanceof Delete d) {
        out.writeByte(DELETE);
        out.write(d.id);
      } else if (op instanceof Subscribe s) {
        out.writeByte(SUBSCRIBE);
        text(out, s.name);
        out.writeBoolean(s.on);
      } else if (op instanceof Add a) {
        out.writeByte(ADD);
        out.writeLong(a.uid);
        out.writeLong(a.internalDate);
        flags(out, a.flags);
        bytes(out, a.mail.ref().encode());
        out.writeLong(a.mail.size());
        bytes(out, a.mail.layout());
        out.writeLong(a.mail.expiryWallMillis());
        bytes(out, a.addedHeader);
      } else if (op instanceof Flags f) {
        out.writeByte(FLAGS);
        out.writeByte(f.mode);
        flags(out, f.flags);
        ranges(out, f.ranges);
      } else if (op instanceof Expunge e) {
        out.writeByte(EXPUNGE);
        ranges(out, e.ranges);
      } else {
        throw new IllegalArgumentException("not an operation: " + op);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Object decode(byte[] op) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(op));
      Object result =
          switch (in.readUnsignedByte()) {
            case CREATE -> new Create(id(in), text(in), text(in), in.readLong());
            case RENAME -> new Rename(id(in), text(in));
            case DELETE -> new Delete(id(in));
            case SUBSCRIBE -> new Subscribe(text(in), in.readBoolean());
            case ADD -> {
              long uid = in.readLong();
              long date = in.readLong();
              Set<String> flags = flags(in);
              MessageRef ref = MessageRef.decode(bytes(in, 256));
              long size = in.readLong();
              byte[] layout = bytes(in, 1024);
              long expiry = in.readLong();
              byte[] added = bytes(in, MAX_ADDED_HEADER);
              if (uid <= 0) {
                throw new IllegalArgumentException("UID must be positive");
              }
              yield new Add(uid, date, flags, new StoredMail(ref, size, layout, expiry), added);
            }
            case FLAGS -> {
              int mode = in.readUnsignedByte();
              if (mode > 2) {
                throw new IllegalArgumentException("unknown flag mode " + mode);
              }
              yield new Flags(mode, flags(in), ranges(in));
            }
            case EXPUNGE -> new Expunge(ranges(in));
            default -> throw new IllegalArgumentException("unknown operation type");
          };
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes after an operation");
      }
      return result;
    } catch (IOException | CryptoFormatException e) {
      throw new IllegalArgumentException("malformed operation: " + e.getMessage(), e);
    }
  }

  /** Ascending UIDs as closed ranges, at most {@link #MAX_RANGES} per list. */
  static List<List<long[]>> rangeChunks(Collection<Long> uids) {
    List<List<long[]>> chunks = new ArrayList<>();
    List<long[]> cur = new ArrayList<>();
    long[] open = null;
    for (long u : new TreeSet<>(uids)) {
      if (open != null && u == open[1] + 1) {
        open[1] = u;
        continue;
      }
      if (cur.size() == MAX_RANGES) {
        chunks.add(cur);
        cur = new ArrayList<>();
      }
      open = new long[] {u, u};
      cur.add(open);
    }
    if (!cur.isEmpty()) {
      chunks.add(cur);
    }
    return chunks;
  }

  static void text(DataOutputStream out, String s) throws IOException {
    bytes(out, s.getBytes(StandardCharsets.UTF_8));
  }

  static String text(DataInputStream in) throws IOException {
    return new String(bytes(in, 4096), StandardCharsets.UTF_8);
  }

  static void bytes(DataOutputStream out, byte[] b) throws IOException {
    out.writeInt(b.length);
    out.write(b);
  }

  static byte[] bytes(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("length out of range: " + n);
    }
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IllegalArgumentException("truncated");
    }
    return b;
  }

  static void flags(DataOutputStream out, Set<String> flags) throws IOException {
    out.writeShort(flags.size());
    for (String f : flags) {
      text(out, f);
    }
  }

  static Set<String> flags(DataInputStream in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > 256) {
      throw new IllegalArgumentException("too many flags");
    }
    Set<String> s = new LinkedHashSet<>();
    for (int i = 0; i < n; i++) {
      s.add(text(in).intern());
    }
    return Set.copyOf(s);
  }

  private static void ranges(DataOutputStream out, List<long[]> ranges) throws IOException {
    out.writeShort(ranges.size());
    for (long[] r : ranges) {
      out.writeLong(r[0]);
      out.writeLong(r[1]);
    }
  }

  private static List<long[]> ranges(DataInputStream in) throws IOException {
    int n = in.readUnsignedShort();
    if (n > MAX_RANGES) {
      throw new IllegalArgumentException("too many ranges");
    }
    List<long[]> r = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long a = in.readLong();
      long b = in.readLong();
      if (a <= 0 || b < a) {
        throw new IllegalArgumentException("bad UID range");
      }
      r.add(new long[] {a, b});
    }
    return r;
  }

  private static byte[] id(DataInputStream in) throws IOException {
    byte[] id = in.readNBytes(16);
    if (id.length != 16) {
      throw new IllegalArgumentException("truncated folder id");
    }
    return id;
  }
}
