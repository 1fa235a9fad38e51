package org.epost.overlay.transport.tcp;

import java.nio.ByteBuffer;
import org.epost.overlay.api.Id;

/** Builds overlay-shaped frames for tests in this package. */
final class TransportContractTestAccess {
  private TransportContractTestAccess() {}

  /** Version 1, type 9, application 0, {@code sender}, body: what the transport checks. */
  static byte[] frameFrom(Id sender, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + Id.BYTES + body.length);
    b.put((byte) 1).put((byte) 9).putShort((short) 0);
    sender.write(b);
    return b.put(body).array();
  }
}
