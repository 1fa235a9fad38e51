package org.epost.simulator.api;

import java.math.BigInteger;
import java.util.List;

/**
 * The port through which an experiment drives a ring of simulated overlay nodes.
 *
 * <p>An implementation owns one discrete-event engine in virtual time and every node on it. Ids are
 * unsigned 160-bit integers in {@code [0, 2^160)}. Time is virtual, in microseconds since the start
 * of the simulation.
 *
 * <p>Threading: not thread-safe. One thread (the experiment's) calls every method; listener upcalls
 * happen on that same thread, from inside {@link #runUntil(long)}.
 */
public interface SimulatedRing {

  /** Current virtual time in microseconds. */
  long nowMicros();

  /**
   * Processes every pending event whose time is at most {@code timeMicros}, then sets the clock to
   * {@code timeMicros}. Listener upcalls happen from inside this call.
   *
   * @throws IllegalArgumentException if {@code timeMicros} is before {@link #nowMicros()}
   */
  void runUntil(long timeMicros);

  /** Number of events the engine has processed since it was created. */
  long eventsProcessed();

  /**
   * Creates a node and starts its join. The node is not a ring member until the listener hears
   * {@link RingListener#joined(BigInteger)} for it (at the latest when the {@code runUntil} call
   * during which it became ready returns).
   *
   * @param id the id the node should have
   * @param bootstraps live members to join through, tried in order; empty for the first node of a
   *     ring
   * @return the new node's id: {@code id}, except that an implementation may choose the id of the
   *     first node of a ring itself
   * @throws IllegalArgumentException if a node with this id already exists
   */
  BigInteger startNode(BigInteger id, List<BigInteger> bootstraps);

  /**
   * The oracle for "wrong root": the live node that has finished its join and whose id is
   * numerically closest to {@code key} right now, or null if there is none.
   */
  BigInteger closestReadyNode(BigInteger key);

  /**
   * For diagnosis: the live node closest to {@code key} whether or not it has finished joining, or
   * null if there is none. A lost lookup whose key is closest to a node that is still joining
   * points at the join protocol.
   */
  BigInteger closestLiveNode(BigInteger key);

  /**
   * Fails the node abruptly: it stops processing and sending at once, without telling anyone, and
   * frames addressed to it are dropped from now on.
   *
   * @throws IllegalArgumentException if no live node has this id
   */
  void failNode(BigInteger id);

  /**
   * Routes a lookup for {@code key}, sent by the live node {@code source}. When (if) the overlay
   * delivers it, the listener hears {@link RingListener#delivered} with the same {@code lookupId}.
   */
  void route(BigInteger source, BigInteger key, long lookupId);

  /**
   * Modelled one-way network latency between two live nodes, in microseconds; -1 if either has
   * failed (an implementation need not remember departed nodes, so that churn does not grow the
   * heap).
   */
  long directLatencyMicros(BigInteger a, BigInteger b);

  /**
   * Cumulative traffic since the ring was created, split into lookup and other (control) frames.
   */
  TrafficTotals traffic();

  /** Sets the single listener for join and delivery upcalls. */
  void setListener(RingListener listener);
}
