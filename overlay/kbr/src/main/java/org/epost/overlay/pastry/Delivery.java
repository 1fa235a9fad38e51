package org.epost.overlay.pastry;

import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.RoutedMessage;

/** The application's read-only view of a routed or direct message. */
final class Delivery implements RoutedMessage {
  private final Id key;
  private final NodeHandle source;
  private final int hops;
  private final int appId;
  private final byte[] payload;

  Delivery(Id key, NodeHandle source, int hops, int appId, byte[] payload) {
    this.key = key;
    this.source = source;
    this.hops = hops;
    this.appId = appId;
    this.payload = payload;
  }

  static Delivery of(Message.Routed m) {
    return new Delivery(m.key, m.source, m.hops, m.appId, m.payload);
  }

  @Override
  public Id key() {
    return key;
  }

  @Override
  public NodeHandle source() {
    return source;
  }

  @Override
  public int hops() {
    return hops;
  }

  @Override
  public int applicationId() {
    return appId;
  }

  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public int payloadLength() {
    return payload.length;
  }

  @Override
  public String toString() {
    return "message(app "
        + appId
        + ", key "
        + key
        + ", from "
        + source
        + ", "
        + hops
        + " hops, "
        + payload.length
        + " bytes)";
  }
}
