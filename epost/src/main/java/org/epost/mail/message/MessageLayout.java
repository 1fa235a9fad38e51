package org.epost.mail.message;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.MimeStructureCodec;

/**
 * The content of a message's {@code STRUCTURE} part: the message's size, the table of segments that
 * concatenated give its exact bytes, and its MIME structure ({@link MimeStructureCodec} of the IMAP
 * proxy's parser's tree). Decoding treats its input as untrusted: it comes from the ring.
 *
 * <p>Encoding (big-endian): version byte 1, size (i64), segment count (i32), per segment offset
 * (i64), length (i64), part index (i32), then the structure's length (i32) and bytes.
 *
 * @param size the message's size in bytes
 * @param segments in message order, contiguous from 0 to {@code size}
 * @param mimeStructure the encoded MIME structure
 */
public record MessageLayout(long size, List<Segment> segments, byte[] mimeStructure) {
  /** Part index of the {@code STRUCTURE} part (this layout). */
  public static final int STRUCTURE_PART = 0;

  /** Part index of the {@code HEADER} part. */
  public static final int HEADER_PART = 1;

  /** Largest encoded layout accepted from the ring. */
  public static final int MAX_ENCODED_BYTES = 16 << 20;

  private static final int VERSION = 1;

  public MessageLayout {
    Objects.requireNonNull(mimeStructure, "mimeStructure");
    segments = List.copyOf(segments);
    long at = 0;
    for (Segment s : segments) {
      if (s.offset() != at) {
        throw new IllegalArgumentException("segments are not contiguous at " + at);
      }
      at = s.end();
    }
    if (at != size) {
      throw new IllegalArgumentException("segments cover " + at + " of " + size + " bytes");
    }
  }

  /** The MIME structure, decoded (offsets relative to the stored message). */
  public MimePart structure() {
    return MimeStructureCodec.decode(mimeStructure);
  }

  /** The length of the top-level header section (the {@code HEADER} part). */
  public long headerLength() {
    for (Segment s : segments) {
      if (s.partIndex() == HEADER_PART) {
        return s.length();
      }
    }
    return 0;
  }

  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + segments.size() * 20);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeLong(size);
      out.writeInt(segments.size());
      for (Segment s : segments) {
        out.writeLong(s.offset());
        out.writeLong(s.length());
        out.writeInt(s.partIndex());
      }
      out.writeInt(mimeStructure.length);
      out.write(mimeStructure);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decodes {@link #encode()}'s output.
   *
   * @throws IllegalArgumentException if the bytes are not a layout (damaged or forged)
   */
  public static MessageLayout decode(byte[] encoded) {
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException("a message layout over " + MAX_ENCODED_BYTES + " bytes");
    }
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded));
      if (in.readUnsignedByte() != VERSION) {
        throw new IllegalArgumentException("unknown message layout version");
      }
      long size = in.readLong();
      int n = in.readInt();
      if (n < 0 || n > org.epost.post.api.MessageStore.MAX_PARTS) {
        throw new IllegalArgumentException("segment count out of range: " + n);
      }
      List<Segment> segments = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        segments.add(new Segment(in.readLong(), in.readLong(), in.readInt()));
      }
      int len = in.readInt();
      if (len < 0 || len > encoded.length) {
        throw new IllegalArgumentException("structure length out of range");
      }
      byte[] mime = in.readNBytes(len);
      if (mime.length != len || in.available() != 0) {
        throw new IllegalArgumentException("truncated or trailing bytes in a message layout");
      }
      MessageLayout layout = new MessageLayout(size, segments, mime);
      layout.structure(); // validates the structure encoding
      return layout;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated message layout", e);
    }
  }
}
