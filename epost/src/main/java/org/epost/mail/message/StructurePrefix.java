package org.epost.mail.message;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.MimeStructureCodec;

/**
 * The MIME structure of one copy of a message whose header lines {@code prefix} (CRLF-terminated,
 * as a node adds {@code Authentication-Results}) stand in front of the stored bytes: every offset
 * moves by the prefix's length and the prefix's fields come first in the top-level header. Works on
 * {@link MimeStructureCodec}'s version-1 encoding (re-encoded, then decoded with the codec's own
 * checks), so the stored message is never parsed again.
 */
public final class StructurePrefix {
  private StructurePrefix() {}

  /** The structure of {@code prefix} followed by the message {@code encoded} describes. */
  public static MimePart apply(byte[] encoded, byte[] prefix) {
    if (prefix.length == 0) {
      return MimeStructureCodec.decode(encoded);
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length + prefix.length + 64);
      DataOutputStream out = new DataOutputStream(bytes);
      int version = in.readUnsignedByte();
      if (version != 1) {
        throw new IllegalArgumentException("unknown structure encoding version " + version);
      }
      out.writeByte(version);
      part(in, out, prefix.length, fields(prefix), 0);
      out.flush();
      return MimeStructureCodec.decode(bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated structure encoding", e);
    }
  }

  private static void part(
      DataInputStream in, DataOutputStream out, long shift, List<String[]> added, int depth)
      throws IOException {
    if (depth > 64) {
      throw new IllegalArgumentException("structure nested too deeply");
    }
    long headerStart = in.readLong();
    out.writeLong(added != null ? 0 : headerStart + shift);
    out.writeLong(in.readLong() + shift);
    out.writeLong(in.readLong() + shift);
    out.writeLong(in.readLong());
    copyText(in, out);
    copyText(in, out);
    int fields = in.readInt();
    out.writeInt(fields + (added == null ? 0 : added.size()));
    if (added != null) {
      for (String[] f : added) {
        text(out, f[0]);
        text(out, f[1]);
      }
    }
    for (int i = 0; i < fields * 2; i++) {
      copyText(in, out);
    }
    int params = in.readInt();
    out.writeInt(params);
    for (int i = 0; i < params * 2; i++) {
      copyText(in, out);
    }
    int children = in.readInt();
    if (children < 0 || children > 100_000) {
      throw new IllegalArgumentException("child count out of range");
    }
    out.writeInt(children);
    for (int i = 0; i < children; i++) {
      part(in, out, shift, null, depth + 1);
    }
    boolean message = in.readBoolean();
    out.writeBoolean(message);
    if (message) {
      part(in, out, shift, null, depth + 1);
    }
  }

  private static void copyText(DataInputStream in, DataOutputStream out) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > MessageLayout.MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException("text length out of range");
    }
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IllegalArgumentException("truncated structure encoding");
    }
    out.writeInt(n);
    out.write(b);
  }

  private static void text(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    out.writeInt(b.length);
    out.write(b);
  }

  /** The header fields of {@code prefix}: name and raw text with folded lines. */
  static List<String[]> fields(byte[] prefix) {
    String text = new String(prefix, StandardCharsets.ISO_8859_1);
    List<String[]> out = new ArrayList<>();
    int at = 0;
    while (at < text.length()) {
      int end = at;
      do {
        int nl = text.indexOf('\n', end);
        end = nl < 0 ? text.length() : nl + 1;
      } while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t'));
      String raw = text.substring(at, end);
      int colon = raw.indexOf(':');
      if (colon > 0) {
        out.add(new String[] {raw.substring(0, colon).trim(), raw});
      }
      at = end;
    }
    return out;
  }
}
