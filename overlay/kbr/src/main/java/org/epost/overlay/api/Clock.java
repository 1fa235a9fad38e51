package org.epost.overlay.api;

import java.time.Instant;

/**
 * Time as the node's event loop sees it. Protocol code reads time only through this interface.
 *
 * <p>Two readings, for two purposes:
 *
 * <ul>
 *   <li>{@link #nowMillis()}: monotonic, for timeouts and intervals within one run of the node. Its
 *       origin is arbitrary and changes across restarts, so it is never stored.
 *   <li>{@link #wallMillis()}: calendar time, for anything that outlives the process or crosses the
 *       network: lease expiries on disk, timestamps in signed or sealed objects, replay windows,
 *       certificate validity.
 * </ul>
 *
 * <p>In a simulation both advance with virtual time and wall time starts at a configurable virtual
 * epoch, so a run with the same seed reads the same wall times.
 */
public interface Clock {
  /** Milliseconds since an arbitrary origin; never decreases. Not comparable across restarts. */
  long nowMillis();

  /**
   * Milliseconds since 1970-01-01T00:00:00Z. In real mode the host's clock, which an operator may
   * step: callers compare wall times with a tolerance and never rely on them being monotonic.
   */
  long wallMillis();

  /**
   * {@link #wallMillis()} as an {@link Instant}: the "now" that signed and sealed objects, replay
   * windows and certificate checks take (the crypto module's {@code Instant now} parameters), so
   * that loop code passes the injected time and a simulation repeats.
   */
  default Instant wallInstant() {
    return Instant.ofEpochMilli(wallMillis());
  }
}
