package org.epost.simulator.multicast;

import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;

/** One subscription of the workload: a node subscribed to a topic, reporting to the tracker. */
final class Subscriber implements ScribeClient {
  final SimulatedNode node;
  final int topic;
  private final DeliveryTracker tracker;

  /**
   * True once Scribe confirmed the subscription ({@link #subscribed}); only then is it expected to
   * receive.
   */
  boolean confirmed;

  Subscriber(SimulatedNode node, int topic, DeliveryTracker tracker) {
    this.node = node;
    this.topic = topic;
    this.tracker = tracker;
  }

  @Override
  public void deliver(Publication p) {
    tracker.delivered(this, p);
  }

  @Override
  public boolean anycast(TopicId topic, byte[] payload, NodeHandle sender) {
    return false;
  }

  @Override
  public void subscribed(TopicId topic) {
    confirmed = true;
  }
}
