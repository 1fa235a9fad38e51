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
 * <p><b>Inline messages</b> (ADR 0147): a message whose layout and bytes together fit one block of
 * the store ({@link #INLINE_MAX_BYTES}) is stored as its {@code STRUCTURE} part alone: one segment
 * with part index {@link #STRUCTURE_PART}, and the part holds this encoding (version byte 2,
 * otherwise as version 1) followed by the message's bytes. {@link #encode()} never includes those
 * bytes (the metadata index keeps layouts only); {@link #decode} accepts the encoding alone or
 * followed by exactly the inline bytes, and {@link #inlineBytes(byte[])} returns them.
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

  /**
   * Largest {@code STRUCTURE} part that carries the message's bytes after its layout: one leaf
   * block of the store (48 KiB, ADR 0100), so an inline message is the message block and one more.
   */
  public static final int INLINE_MAX_BYTES = 48 * 1024;

  private static final int VERSION = 1;
  private static final int VERSION_INLINE = 2;

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

  /**
   * The length of the top-level header section (the {@code HEADER} part; of an inline message,
   * where its structure says the body starts).
   */
  public long headerLength() {
    if (isInline()) {
      return Math.min(Math.max(0, structure().bodyStart()), size);
    }
    for (Segment s : segments) {
      if (s.partIndex() == HEADER_PART) {
        return s.length();
      }
    }
    return 0;
  }

  /** Whether the message's bytes follow this layout in its {@code STRUCTURE} part. */
  public boolean isInline() {
    for (Segment s : segments) {
      if (s.partIndex() == STRUCTURE_PART) {
        return true;
      }
    }
    return false;
  }

  /**
   * The layout of a message stored inline: one segment in the {@code STRUCTURE} part.
   *
   * @param size the message's size (positive)
   */
  public static MessageLayout inline(long size, byte[] mimeStructure) {
    return new MessageLayout(size, List.of(new Segment(0, size, STRUCTURE_PART)), mimeStructure);
  }

  /**
   * Where the bytes of the inline segment at {@code s} start in the {@code STRUCTURE} part: after
   * the encoding and the inline segments before it.
   */
  public long inlineOffset(Segment s) {
    long at = encodedLength();
    for (Segment t : segments) {
      if (t.offset() >= s.offset()) {
        break;
      }
      if (t.partIndex() == STRUCTURE_PART) {
        at += t.length();
      }
    }
    return at;
  }

  /** The length of the {@code STRUCTURE} part holding this layout (and its inline bytes). */
  public long structurePartLength() {
    long at = encodedLength();
    for (Segment t : segments) {
      if (t.partIndex() == STRUCTURE_PART) {
        at += t.length();
      }
    }
    return at;
  }

  private int encodedLength() {
    return 1 + 8 + 4 + segments.size() * 20 + 4 + mimeStructure.length;
  }

  public byte[] encode() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + segments.size() * 20);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(isInline() ? VERSION_INLINE : VERSION);
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
   * Decodes {@link #encode()}'s output, alone or (an inline message's {@code STRUCTURE} part)
   * followed by exactly the inline bytes.
   *
   * @throws IllegalArgumentException if the bytes are not a layout (damaged or forged)
   */
  public static MessageLayout decode(byte[] encoded) {
    if (encoded.length > MAX_ENCODED_BYTES) {
      throw new IllegalArgumentException("a message layout over " + MAX_ENCODED_BYTES + " bytes");
    }
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(encoded));
      int version = in.readUnsignedByte();
      if (version != VERSION && version != VERSION_INLINE) {
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
      if (mime.length != len) {
        throw new IllegalArgumentException("truncated message layout");
      }
      MessageLayout layout = new MessageLayout(size, segments, mime);
      if (layout.isInline() != (version == VERSION_INLINE)) {
        throw new IllegalArgumentException("a message layout's version disagrees with its parts");
      }
      int trailing = in.available();
      if (trailing != 0 && trailing != layout.structurePartLength() - layout.encodedLength()) {
        throw new IllegalArgumentException("trailing bytes in a message layout");
      }
      layout.structure(); // validates the structure encoding
      return layout;
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated message layout", e);
    }
  }

  /**
   * The message's bytes in an inline message's {@code STRUCTURE} part ({@code part}, already
   * decoded to this layout), or null if the part holds the layout alone.
   */
  public byte[] inlineBytes(byte[] part) {
    if (!isInline() || part.length != structurePartLength()) {
      return null;
    }
    return java.util.Arrays.copyOfRange(part, encodedLength(), part.length);
  }
}
