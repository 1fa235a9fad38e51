package org.epost.overlay.node.api;

import java.nio.file.Path;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.AnyThread;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.LoopBridge;
import org.epost.overlay.api.LoopOnly;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.scribe.api.Scribe;

/**
 * One running node on a real network: its identity (the key file in its data directory), its event
 * loop, a worker pool for heavy work, the TCP/TLS transport, Pastry, PAST on the node's log store
 * and Scribe. Made by {@code org.epost.overlay.node.NodeRuntimes.start(NodeConfig)}.
 *
 * <p>Services start bottom up, each once the one below is ready: data directory (locked, one
 * process per directory), identity, loop and workers, store (index read), transport (listening),
 * Pastry with PAST and Scribe registered, join; {@link #close} stops them top down and closes the
 * store last, after its pending writes are flushed.
 *
 * <p>Threading: {@link #overlay}, {@link #past} and {@link #scribe} are loop-confined; code on any
 * other thread uses them through {@link #bridge}. The other methods may be called from any thread.
 */
public interface NodeRuntime extends AutoCloseable {
  @AnyThread
  Id id();

  /** Where other nodes reach this node. */
  @AnyThread
  Address address();

  @AnyThread
  Path dataDirectory();

  /** Runs work on the node's loop for callers on other threads. */
  @AnyThread
  LoopBridge bridge();

  @LoopOnly
  OverlayNode overlay();

  @LoopOnly
  Past past();

  @LoopOnly
  Scribe scribe();

  /** Waits until the node has joined its ring; false on timeout. */
  @AnyThread
  boolean awaitReady(long timeoutMillis) throws InterruptedException;

  /** Stops every service in reverse start order; idempotent. */
  @AnyThread
  @Override
  void close();
}
