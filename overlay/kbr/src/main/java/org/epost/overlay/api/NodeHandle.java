package org.epost.overlay.api;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A node as other nodes see it: its {@link Id} and the {@link Address} it is reached at. Immutable;
 * two handles are equal when both id and address are equal.
 */
public final class NodeHandle {
  private final Id id;
  private final Address address;

  public NodeHandle(Id id, Address address) {
    this.id = Objects.requireNonNull(id, "id");
    this.address = Objects.requireNonNull(address, "address");
  }

  public Id id() {
    return id;
  }

  public Address address() {
    return address;
  }

  /** Bytes this handle takes on the wire. */
  public int encodedLength() {
    return Id.BYTES + address.encodedLength();
  }

  /** Writes id then address. */
  public void write(ByteBuffer out) {
    id.write(out);
    address.write(out);
  }

  /**
   * Reads id then address.
   *
   * @throws MalformedFrameException if the bytes are short or the address is invalid
   */
  public static NodeHandle read(ByteBuffer in) throws MalformedFrameException {
    MalformedFrameException.require(in.remaining() >= Id.BYTES, "truncated node id");
    Id id = Id.read(in);
    return new NodeHandle(id, Address.read(in));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeHandle
        && ((NodeHandle) o).id.equals(id)
        && ((NodeHandle) o).address.equals(address);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return id + "@" + address;
  }
}
