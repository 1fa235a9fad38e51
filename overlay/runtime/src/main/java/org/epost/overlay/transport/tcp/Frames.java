package org.epost.overlay.transport.tcp;

import org.epost.overlay.api.Id;
import org.epost.overlay.api.Transport;

/**
 * The transport's own framing (ADR 0061), inside TLS:
 *
 * <pre>
 * frame = length (u32, big-endian, bytes after this field) | version (u8 = 1) | type (u8) | body
 * HELLO (1): body = the sender's listening address in {@code Address} wire form; first frame each way
 * DATA  (2): body = one overlay frame (at most {@link Transport#MAX_FRAME_BYTES})
 * </pre>
 *
 * A length above {@link #MAX_LENGTH} closes the connection before any body byte is buffered.
 */
final class Frames {
  static final int VERSION = 1;
  static final int HELLO = 1;
  static final int DATA = 2;

  /** Length prefix bytes. */
  static final int PREFIX = 4;

  /** Version and type bytes. */
  static final int HEADER = 2;

  /** Largest legal value of the length field. */
  static final int MAX_LENGTH = HEADER + Transport.MAX_FRAME_BYTES;

  /** Largest frame on the wire. */
  static final int MAX_WIRE_BYTES = PREFIX + MAX_LENGTH;

  /**
   * Where an overlay frame names its sender's id: after version (1), type (1) and application id
   * (2), see {@code org.epost.overlay.pastry.WireFormat}.
   */
  static final int SENDER_ID_OFFSET = 4;

  private Frames() {}

  /**
   * True if {@code frame} names the id with bytes {@code id} ({@link Id#BYTES} long) as its sender.
   */
  static boolean claimsSender(byte[] frame, byte[] id) {
    if (frame.length < SENDER_ID_OFFSET + Id.BYTES) {
      return false;
    }
    return java.util.Arrays.equals(
        frame, SENDER_ID_OFFSET, SENDER_ID_OFFSET + Id.BYTES, id, 0, Id.BYTES);
  }

  /**
   * Appends one frame of {@code type} carrying {@code body} to {@code out}: length, version, type,
   * body.
   */
  static void write(io.netty.buffer.ByteBuf out, int type, byte[] body) {
    out.writeInt(HEADER + body.length).writeByte(VERSION).writeByte(type).writeBytes(body);
  }

  /** A decoded frame. */
  record Frame(int type, byte[] body) {}

  /**
   * The complete frames of one decrypted chunk (what TLS hands on from a read), in arrival order
   * (ADR 0088); the peer handler gathers a whole socket read's batches before the loop hand-off.
   * Bounded by the decoder: at most about {@code FrameDecoder.MAX_BATCH_BYTES} plus one frame. Not
   * thread-safe.
   */
  static final class Batch {
    private java.util.ArrayList<Frame> frames = new java.util.ArrayList<>();
    private long bytes;

    void add(Frame f) {
      frames.add(f);
      bytes += f.body().length;
    }

    boolean isEmpty() {
      return frames.isEmpty();
    }

    /** Moves this batch's frames into a new batch and leaves this one empty. */
    Batch split() {
      Batch b = new Batch();
      b.frames = frames;
      b.bytes = bytes;
      frames = new java.util.ArrayList<>();
      bytes = 0;
      return b;
    }

    long bytes() {
      return bytes;
    }

    java.util.List<Frame> frames() {
      return frames;
    }
  }

  /** A framing rule was broken; the connection is closed. */
  static final class FrameException extends Exception {
    private static final long serialVersionUID = 1L;
    final Kind kind;

    enum Kind {
      OVERSIZE,
      BAD_VERSION,
      BAD_TYPE,
      OUT_OF_ORDER,
      SLOW,
      IDENTITY
    }

    FrameException(Kind kind, String message) {
      super(message, null, false, false);
      this.kind = kind;
    }
  }
}
