package org.epost.overlay.sim;

import java.security.SecureRandom;
import java.util.SplittableRandom;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Clock;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.RandomSource;
import org.epost.overlay.api.Scheduler;
import org.epost.overlay.api.Transport;

/** One simulated node's view of the world: its clock, loop, randomness and network port. */
final class NodeContext implements Clock, Scheduler, Transport, RandomSource {
  final Simulation sim;
  final int index;
  final Address address;
  final float[] position;
  private final SplittableRandom random;
  private final long seed;
  private SeededSecureRandom secure; // made on first use
  FrameReceiver receiver;
  boolean alive = true;
  boolean cutOff; // running, but its frames and frames to it are lost (Simulation.setCutOff)
  SimulatedNode node; // the overlay node living here, for handle interning; null once failed
  Event firstEvent; // head of this node's pending events (see Event), emptied when the node fails

  NodeContext(Simulation sim, int index, float[] position, long seed) {
    this.sim = sim;
    this.index = index;
    this.address = Address.virtual(index);
    this.position = position;
    this.random = new SplittableRandom(seed);
    this.seed = seed;
  }

  /**
   * Cancels every pending event of this node and unlinks them, so that the heap's husks reference
   * neither this context nor the node's tasks. Called once the node has failed.
   */
  void purgeEvents() {
    Event e = firstEvent;
    firstEvent = null;
    while (e != null) {
      Event next = e.nextOfOwner;
      e.cancelled = true;
      e.task = null;
      e.frame = null;
      e.from = null;
      e.owner = null;
      e.prevOfOwner = null;
      e.nextOfOwner = null;
      e = next;
    }
  }

  @Override
  public long nowMillis() {
    return sim.nowMicros() / 1000;
  }

  @Override
  public long wallMillis() {
    return sim.wallMillis();
  }

  @Override
  public boolean inLoop() {
    return sim.inLoop();
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    if (delayMillis < 0) {
      throw new IllegalArgumentException("negative delay " + delayMillis);
    }
    return sim.scheduleFor(this, sim.nowMicros() + delayMillis * 1000, task);
  }

  @Override
  public void execute(Runnable task) {
    sim.scheduleFor(this, sim.nowMicros(), task);
  }

  @Override
  public Address localAddress() {
    return address;
  }

  @Override
  public void send(Address to, Id expectedId, byte[] frame) {
    if (frame.length > MAX_FRAME_BYTES) {
      throw new IllegalArgumentException(
          "frame of " + frame.length + " bytes exceeds " + MAX_FRAME_BYTES);
    }
    if (alive) {
      sim.network().send(this, to, expectedId, frame);
    }
  }

  @Override
  public void setReceiver(FrameReceiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public long nextLong() {
    return random.nextLong();
  }

  @Override
  public int nextInt(int bound) {
    return random.nextInt(bound);
  }

  @Override
  public SecureRandom secure() {
    if (secure == null) {
      secure = new SeededSecureRandom(seed ^ SECURE_SEED_MIX);
    }
    return secure;
  }

  /** Separates the secure stream's seed from the node's main stream. */
  private static final long SECURE_SEED_MIX = 0x5EC0_DE5E_C0DE_5EC0L;

  @Override
  public double nextDouble() {
    return random.nextDouble();
  }
}
