package org.epost.overlay.api;

import java.util.Objects;

/**
 * Everything a node needs from the outside world, injected: time, the event loop, randomness,
 * the network, and a handle interner. Protocol code touches the world only through this object,
 * which is what makes a simulated run repeatable bit for bit.
 */
public final class NodeEnvironment {
  private final Clock clock;
  private final Scheduler scheduler;
  private final RandomSource random;
  private final Transport transport;
  private final HandleInterner interner;

  public NodeEnvironment(
      Clock clock, Scheduler scheduler, RandomSource random, Transport transport, HandleInterner interner) {
    this.clock = Objects.requireNonNull(clock);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.random = Objects.requireNonNull(random);
    this.transport = Objects.requireNonNull(transport);
    this.interner = Objects.requireNonNull(interner);
  }

  public Clock clock() {
    return clock;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public RandomSource random() {
    return random;
  }

  public Transport transport() {
    return transport;
  }

  public HandleInterner interner() {
    return interner;
  }

  /**
   * Maps a freshly decoded handle to a shared equal instance, so that thousands of routing tables
   * in one JVM do not each hold their own copy. Must return an equal handle.
   */
  @FunctionalInterface
  public interface HandleInterner {
    NodeHandle intern(NodeHandle decoded);

    /** No sharing: each decoded handle is kept as is (real mode). */
    static HandleInterner none() {
      return h -> h;
    }
  }
}
