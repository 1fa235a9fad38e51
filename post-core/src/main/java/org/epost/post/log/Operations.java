package org.epost.post.log;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.epost.crypto.api.CryptoFormatException;

/** Encoding of a list of operations: u32 count, then per operation u32 length and the bytes. */
final class Operations {
  private Operations() {}

  static int encodedSize(List<byte[]> ops) {
    int n = 4;
    for (byte[] op : ops) {
      n += 4 + op.length;
    }
    return n;
  }

  static byte[] encode(List<byte[]> ops) {
    ByteBuffer b = ByteBuffer.allocate(encodedSize(ops));
    b.putInt(ops.size());
    for (byte[] op : ops) {
      b.putInt(op.length).put(op);
    }
    return b.array();
  }

  /** Decodes a list whose operations are at most {@code maxOp} bytes each. */
  static List<byte[]> decode(byte[] bytes, int maxOp) throws CryptoFormatException {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      int n = b.getInt();
      if (n < 0 || n > bytes.length / 4) {
        throw new CryptoFormatException("bad operation count " + n);
      }
      List<byte[]> ops = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int len = b.getInt();
        if (len < 0 || len > maxOp || len > b.remaining()) {
          throw new CryptoFormatException("bad operation length " + len);
        }
        byte[] op = new byte[len];
        b.get(op);
        ops.add(op);
      }
      if (b.hasRemaining()) {
        throw new CryptoFormatException("trailing bytes after operations");
      }
      return ops;
    } catch (BufferUnderflowException e) {
      throw new CryptoFormatException("truncated operation list");
    }
  }
}
