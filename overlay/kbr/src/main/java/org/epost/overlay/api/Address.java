package org.epost.overlay.api;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Where a node can be reached: an IP address and port for a real transport, or a small integer for
 * the virtual network of a simulation ({@link #virtual(int)}). Immutable.
 *
 * <p>Wire form: one byte host length (0, 4 or 16), the host bytes, then a 4-byte port (or virtual
 * index).
 */
public final class Address {
  private static final byte[] NO_HOST = new byte[0];

  private final byte[] host; // empty for virtual addresses; never exposed
  private final int port;

  private Address(byte[] host, int port) {
    this.host = host;
    this.port = port;
  }

  /** The address of simulated node number {@code index} on a virtual network. */
  public static Address virtual(int index) {
    if (index < 0) {
      throw new IllegalArgumentException("virtual address must be >= 0: " + index);
    }
    return new Address(NO_HOST, index);
  }

  /**
   * An IP address (4 or 16 bytes) and TCP port.
   *
   * @throws IllegalArgumentException if the host is not 4 or 16 bytes or the port is out of range
   */
  public static Address inet(byte[] host, int port) {
    if (host.length != 4 && host.length != 16) {
      throw new IllegalArgumentException(
          "host must be 4 (IPv4) or 16 (IPv6) bytes, got " + host.length);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    return new Address(host.clone(), port);
  }

  /** True for an address of the simulated virtual network. */
  public boolean isVirtual() {
    return host.length == 0;
  }

  /** The virtual node index, or the TCP port of an inet address. */
  public int port() {
    return port;
  }

  /** A copy of the IP address bytes (empty for a virtual address). */
  public byte[] host() {
    return host.clone();
  }

  /** Bytes this address takes on the wire. */
  public int encodedLength() {
    return 1 + host.length + 4;
  }

  /** Writes the wire form. */
  public void write(ByteBuffer out) {
    out.put((byte) host.length).put(host).putInt(port);
  }

  /**
   * Reads the wire form.
   *
   * @throws MalformedFrameException if the host length is not 0, 4 or 16 or the buffer is short
   */
  public static Address read(ByteBuffer in) throws MalformedFrameException {
    MalformedFrameException.require(in.remaining() >= 5, "truncated address");
    int len = in.get() & 0xFF;
    if (len != 0 && len != 4 && len != 16) {
      throw new MalformedFrameException("bad address host length " + len);
    }
    MalformedFrameException.require(in.remaining() >= len + 4, "truncated address");
    byte[] h = len == 0 ? NO_HOST : new byte[len];
    in.get(h);
    int port = in.getInt();
    if (port < 0 || (len != 0 && port > 65535)) {
      throw new MalformedFrameException("bad port " + port);
    }
    return new Address(h, port);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Address
        && ((Address) o).port == port
        && Arrays.equals(((Address) o).host, host);
  }

  @Override
  public int hashCode() {
    return port * 31 + Arrays.hashCode(host);
  }

  @Override
  public String toString() {
    if (isVirtual()) {
      return "v" + port;
    }
    StringBuilder sb = new StringBuilder();
    if (host.length == 4) {
      for (int i = 0; i < 4; i++) {
        sb.append(i == 0 ? "" : ".").append(host[i] & 0xFF);
      }
    } else {
      sb.append('[');
      for (int i = 0; i < 16; i += 2) {
        sb.append(i == 0 ? "" : ":")
            .append(Integer.toHexString(((host[i] & 0xFF) << 8) | (host[i + 1] & 0xFF)));
      }
      sb.append(']');
    }
    return sb.append(':').append(port).toString();
  }
}
