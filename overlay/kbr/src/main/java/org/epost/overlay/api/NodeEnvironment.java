package org.epost.overlay.api;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Everything a node needs from the outside world, injected: time, the event loop, randomness, the
 * network, a handle interner and a place for heavy work off the loop. Protocol code touches the
 * world only through this object, which is what makes a simulated run repeatable bit for bit.
 */
public final class NodeEnvironment {
  private final Clock clock;
  private final Scheduler scheduler;
  private final RandomSource random;
  private final Transport transport;
  private final HandleInterner interner;
  private final OffLoopExecutor offLoop;

  /** An environment whose heavy work runs inline on the loop (the simulation's). */
  public NodeEnvironment(
      Clock clock,
      Scheduler scheduler,
      RandomSource random,
      Transport transport,
      HandleInterner interner) {
    this(clock, scheduler, random, transport, interner, OffLoopExecutor.inline());
  }

  public NodeEnvironment(
      Clock clock,
      Scheduler scheduler,
      RandomSource random,
      Transport transport,
      HandleInterner interner,
      OffLoopExecutor offLoop) {
    this.clock = Objects.requireNonNull(clock);
    this.scheduler = Objects.requireNonNull(scheduler);
    this.random = Objects.requireNonNull(random);
    this.transport = Objects.requireNonNull(transport);
    this.interner = Objects.requireNonNull(interner);
    this.offLoop = Objects.requireNonNull(offLoop);
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

  /** Where heavy, self-contained work goes so that it does not hold up the loop. */
  public OffLoopExecutor offLoop() {
    return offLoop;
  }

  /** The bridge for code on other threads to run work on this node's loop. */
  public LoopBridge bridge() {
    return new LoopBridge(scheduler);
  }

  /**
   * Maps a freshly decoded handle to a shared equal instance, so that thousands of routing tables
   * in one JVM do not each hold their own copy. Must return an equal handle.
   */
  @FunctionalInterface
  public interface HandleInterner {
    NodeHandle intern(NodeHandle decoded);

    /**
     * Reads one handle in its wire form ({@link NodeHandle#read}) from {@code in} and returns it
     * interned. The default decodes then interns; an interner that knows the handle already (the
     * simulation's) may return its shared instance without decoding a copy first. Either way the
     * same bytes are consumed and the same errors are thrown for malformed ones.
     *
     * @throws MalformedFrameException if the bytes are short or the address is invalid
     */
    default NodeHandle read(ByteBuffer in) throws MalformedFrameException {
      return intern(NodeHandle.read(in));
    }

    /** No sharing: each decoded handle is kept as is (real mode). */
    static HandleInterner none() {
      return h -> h;
    }
  }
}
