package org.epost.overlay.api;

/**
 * Time as the node's event loop sees it: virtual time in a simulation, a monotonic clock in real
 * mode. Protocol code reads time only through this interface.
 */
public interface Clock {
  /** Milliseconds since an arbitrary origin; never decreases. */
  long nowMillis();
}
