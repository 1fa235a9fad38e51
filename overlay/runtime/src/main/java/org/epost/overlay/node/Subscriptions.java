package org.epost.overlay.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.epost.overlay.api.LoopOnly;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.TopicId;

/**
 * Local fan-out of Scribe topics to operator subscriptions: Scribe takes one client per topic, and
 * several {@code subscribe} commands may watch the same topic. The node stays subscribed while one
 * listener remains. Loop-confined.
 */
@LoopOnly
final class Subscriptions {
  /** What an operator subscription receives, on the loop; must not block. */
  interface Listener {
    void attached(TopicId topic);

    void publication(Publication p);
  }

  private final Scribe scribe;
  private final Map<TopicId, Fanout> topics = new HashMap<>();

  Subscriptions(Scribe scribe) {
    this.scribe = scribe;
  }

  private final class Fanout implements ScribeClient {
    final List<Listener> listeners = new ArrayList<>();
    boolean attached;

    @Override
    public void deliver(Publication publication) {
      for (Listener l : List.copyOf(listeners)) {
        l.publication(publication);
      }
    }

    @Override
    public void subscribed(TopicId topic) {
      attached = true;
      for (Listener l : List.copyOf(listeners)) {
        l.attached(topic);
      }
    }
  }

  /**
   * Adds {@code l} to {@code topic}, subscribing the node if it is the first.
   *
   * @throws IllegalStateException if Scribe refuses the topic (too many topics)
   */
  void add(TopicId topic, Listener l) {
    Fanout f = topics.get(topic);
    if (f == null) {
      f = new Fanout();
      f.listeners.add(l);
      topics.put(topic, f);
      try {
        scribe.subscribe(topic, f);
      } catch (RuntimeException e) {
        topics.remove(topic);
        throw e;
      }
      return;
    }
    f.listeners.add(l);
    if (f.attached) {
      l.attached(topic);
    }
  }

  /** Removes {@code l}; the node unsubscribes when the topic has no listener left. */
  void remove(TopicId topic, Listener l) {
    Fanout f = topics.get(topic);
    if (f == null) {
      return;
    }
    f.listeners.remove(l);
    if (f.listeners.isEmpty()) {
      topics.remove(topic);
      scribe.unsubscribe(topic);
    }
  }

  /** Operator subscriptions open now (over all topics). */
  int listeners() {
    int n = 0;
    for (Fanout f : topics.values()) {
      n += f.listeners.size();
    }
    return n;
  }

  void closeAll() {
    topics.clear();
  }
}
