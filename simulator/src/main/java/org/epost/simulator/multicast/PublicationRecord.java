package org.epost.simulator.multicast;

import java.util.HashMap;
import java.util.Map;
import org.epost.overlay.sim.SimulatedNode;

/** What the experiment knows about one publication: when and where it went, who should get it. */
final class PublicationRecord {
  /** One subscriber that was attached and alive when the publication was made. */
  static final class Expected {
    final Subscriber subscriber;
    long deliveredMicros = -1;
    int depth;
    int copies;

    Expected(Subscriber subscriber) {
      this.subscriber = subscriber;
    }
  }

  final long id;
  final int topic;
  final long publishedMicros;
  final SimulatedNode publisher;
  final int minute;
  final Map<Subscriber, Expected> expected = new HashMap<>();

  /** Copies per overlay link (unordered node pair) this publication was sent over. */
  final Map<Long, Integer> linkCopies = new HashMap<>();

  long rootMicros = -1;
  SimulatedNode root;

  PublicationRecord(long id, int topic, long publishedMicros, SimulatedNode publisher, int minute) {
    this.id = id;
    this.topic = topic;
    this.publishedMicros = publishedMicros;
    this.publisher = publisher;
    this.minute = minute;
  }
}
