package org.epost.overlay.api;

/**
 * The run-time check behind {@link LoopOnly}: loop-confined entry points call {@link #check} first,
 * so that a proxy worker, the CLI or the tray calling them directly fails at once with a message
 * that names the fix, instead of corrupting protocol state later. The check is one thread
 * comparison and is always on, in real mode and in tests.
 */
public final class LoopConfinement {
  private LoopConfinement() {}

  /**
   * Throws {@link IllegalStateException} unless the calling thread runs {@code loop}.
   *
   * @param what the entry point, for the message (e.g. "Past.lookup")
   */
  public static void check(Scheduler loop, String what) {
    if (!loop.inLoop()) {
      throw new IllegalStateException(
          what
              + " called on thread '"
              + Thread.currentThread().getName()
              + "', not on the node's event loop: cross onto the loop with LoopBridge");
    }
  }
}
