package org.epost.imap.mime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A compact binary form of a parsed {@link MimePart} tree (offsets, header fields, types,
 * parameters, children, encapsulated messages), so a store can keep a message's structure next to
 * its record and answer {@code UserSession.structures} without reading the message again (ADR
 * 0039). {@link #decode} treats its input as untrusted (it may come from the network): it enforces
 * the parser's own bounds ({@link MimeStructureParser#MAX_PARTS} parts, {@link
 * MimeStructureParser#MAX_DEPTH} levels, {@link MimeStructureParser#MAX_HEADER_BYTES} of header
 * text per part) and fails with {@link IllegalArgumentException} on anything malformed.
 */
public final class MimeStructureCodec {
  private static final int VERSION = 1;
  private static final int MAX_PARAMS = 256;

  private MimeStructureCodec() {}

  public static byte[] encode(MimePart root) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      write(out, root);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(DataOutputStream out, MimePart p) throws IOException {
    out.writeLong(p.headerStart);
    out.writeLong(p.bodyStart);
    out.writeLong(p.end);
    out.writeLong(p.bodyLines);
    text(out, p.type);
    text(out, p.subtype);
    out.writeInt(p.fields.size());
    for (MimePart.Field f : p.fields) {
      text(out, f.name());
      text(out, f.raw());
    }
    out.writeInt(p.params.size());
    for (var e : p.params.entrySet()) {
      text(out, e.getKey());
      text(out, e.getValue());
    }
    out.writeInt(p.children.size());
    for (MimePart c : p.children) {
      write(out, c);
    }
    out.writeBoolean(p.message != null);
    if (p.message != null) {
      write(out, p.message);
    }
  }

  /** Header text is a byte string (one char per byte); it is stored as those bytes. */
  private static void text(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    out.writeInt(b.length);
    out.write(b);
  }

  public static MimePart decode(byte[] encoded) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
      if (in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("unknown structure encoding version");
      }
      int[] parts = {0};
      MimePart root = read(in, 0, parts);
      if (in.available() != 0) {
        throw new IllegalArgumentException("trailing bytes after the structure");
      }
      return root;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated structure encoding", e);
    }
  }

  private static MimePart read(DataInputStream in, int depth, int[] parts) throws IOException {
    if (depth > MimeStructureParser.MAX_DEPTH) {
      throw new IllegalArgumentException("structure nested too deeply");
    }
    if (++parts[0] > MimeStructureParser.MAX_PARTS + 1) {
      throw new IllegalArgumentException("too many parts");
    }
    MimePart p = new MimePart();
    p.headerStart = in.readLong();
    p.bodyStart = in.readLong();
    p.end = in.readLong();
    p.bodyLines = in.readLong();
    if (p.headerStart < 0
        || p.bodyStart < p.headerStart
        || p.end < p.bodyStart
        || p.bodyLines < 0) {
      throw new IllegalArgumentException("inconsistent part offsets");
    }
    int[] budget = {MimeStructureParser.MAX_HEADER_BYTES + 4096};
    p.type = text(in, budget);
    p.subtype = text(in, budget);
    int fields = count(in, MimeStructureParser.MAX_HEADER_BYTES);
    for (int i = 0; i < fields; i++) {
      p.fields.add(new MimePart.Field(text(in, budget), text(in, budget)));
    }
    int params = count(in, MAX_PARAMS);
    for (int i = 0; i < params; i++) {
      p.params.put(text(in, budget), text(in, budget));
    }
    int children = count(in, MimeStructureParser.MAX_PARTS);
    for (int i = 0; i < children; i++) {
      p.children.add(read(in, depth + 1, parts));
    }
    if (in.readBoolean()) {
      p.message = read(in, depth + 1, parts);
    }
    return p;
  }

  private static int count(DataInputStream in, int max) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > max) {
      throw new IllegalArgumentException("count out of range: " + n);
    }
    return n;
  }

  private static String text(DataInputStream in, int[] budget) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > budget[0]) {
      throw new IllegalArgumentException("header text over its bound");
    }
    budget[0] -= n;
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw new IllegalArgumentException("truncated structure encoding");
    }
    return new String(b, StandardCharsets.ISO_8859_1);
  }
}
