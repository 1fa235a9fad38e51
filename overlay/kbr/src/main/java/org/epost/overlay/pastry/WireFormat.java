package org.epost.overlay.pastry;

/**
 * Frame header layout shared by the codec and by traffic accounting: version (1 byte), type (1),
 * application id (2, 0 for overlay-only messages), then the sender's handle and a type-specific
 * body. See {@code MessageCodec} for the bodies.
 */
public final class WireFormat {
  /** Current codec version; a frame with another version is rejected. */
  public static final int VERSION = 1;

  static final int ROUTE = 1;
  static final int ACK = 2;
  static final int DIRECT = 3;
  static final int JOIN = 4;
  static final int JOIN_REPLY = 5;
  static final int ANNOUNCE = 6;
  static final int ANNOUNCE_ACK = 7;
  static final int HEARTBEAT = 8;
  static final int PING = 9;
  static final int PONG = 10;
  static final int ROW_REQUEST = 11;
  static final int ROW_REPLY = 12;
  static final int FAILED = 13;
  static final int RECEIPT = 14;

  private static final String[] NAMES = {
    "UNKNOWN",
    "ROUTE",
    "ACK",
    "DIRECT",
    "JOIN",
    "JOIN_REPLY",
    "ANNOUNCE",
    "ANNOUNCE_ACK",
    "HEARTBEAT",
    "PING",
    "PONG",
    "ROW_REQUEST",
    "ROW_REPLY",
    "FAILED",
    "RECEIPT"
  };

  private WireFormat() {}

  /** The message type byte of {@code frame} (0 if the frame is too short). */
  public static int frameType(byte[] frame) {
    return frame.length < 4 ? 0 : frame[1] & 0xFF;
  }

  /**
   * The application id of a frame that carries or acknowledges an application message (ROUTE,
   * DIRECT, ACK, RECEIPT), or -1 for overlay maintenance frames (and routed joins).
   */
  public static int frameApplication(byte[] frame) {
    if (frame.length < 4) {
      return -1;
    }
    int app = ((frame[2] & 0xFF) << 8) | (frame[3] & 0xFF);
    return app == 0 ? -1 : app;
  }

  /**
   * True for the types that carry an application's own message (ROUTE, DIRECT), false for
   * everything else, including the ACK and RECEIPT that acknowledge one.
   */
  public static boolean isApplicationMessage(int type) {
    return type == ROUTE || type == DIRECT;
  }

  /** A readable name for a type byte. */
  public static String typeName(int type) {
    return type > 0 && type < NAMES.length ? NAMES[type] : "TYPE_" + type;
  }
}
