package org.epost.overlay.api;

import java.util.List;

/**
 * The key-based routing API of one overlay node (the "common API" of structured overlays).
 *
 * <p>Threading: call on the node's event loop ({@link NodeEnvironment#scheduler()}); the loop-only
 * methods check it and throw {@link IllegalStateException} on any other thread. From another thread
 * go through {@link LoopBridge}. {@link #localHandle} and {@link #environment} never change and may
 * be read anywhere.
 */
public interface KeyBasedRouter {
  /** Largest application payload that {@link AppEndpoint#route} accepts, in bytes. */
  int MAX_PAYLOAD_BYTES = 60 * 1024;

  /** Application ids 0..15 are reserved for the overlay itself. */
  int FIRST_APPLICATION_ID = 16;

  /** This node's handle. */
  @AnyThread
  NodeHandle localHandle();

  /**
   * True once the node has joined: it has its leaf set and its immediate neighbours have
   * acknowledged it. Only a ready node delivers messages; a node that is not ready forwards.
   */
  @LoopOnly
  boolean isReady();

  /**
   * Registers {@code application} under {@code applicationId} (>= {@link #FIRST_APPLICATION_ID}, <
   * 65536).
   *
   * @throws IllegalArgumentException if the id is reserved, out of range or already taken
   */
  @LoopOnly
  AppEndpoint register(int applicationId, OverlayApplication application);

  /**
   * Up to {@code k} nodes (this node included) that are the numerically closest to {@code key}
   * among the nodes this node knows, closest first. Exact when {@code key} is within the leaf set's
   * range and k <= half the leaf set size + 1.
   */
  @LoopOnly
  List<NodeHandle> replicaSet(Id key, int k);

  /**
   * The current leaf set, anticlockwise neighbours first (furthest to nearest), then clockwise
   * (nearest to furthest).
   */
  @LoopOnly
  List<NodeHandle> leafSet();

  /** The routing-table entries that are filled, row by row. For diagnostics and tests. */
  @LoopOnly
  List<NodeHandle> routingTableEntries();

  /**
   * The environment this node runs on: applications take their timers ({@code scheduler()}), time
   * and randomness from here, so they run on the same event loop.
   */
  @AnyThread
  NodeEnvironment environment();

  /** Counters of what this node has seen: malformed frames, reroutes, etc. */
  @LoopOnly
  NodeStatistics statistics();
}
