package org.epost.overlay.scribe;

import java.util.Objects;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.ScribeObserver;

/** Creates the Scribe instance of one overlay node. */
public final class ScribeFactory {
  private ScribeFactory() {}

  /**
   * Registers Scribe on {@code router} under {@link ScribeConfig#applicationId()} and starts its
   * maintenance timer. Call on the node's event loop; every node of a ring runs one instance.
   *
   * @throws IllegalArgumentException if the application id is taken on this router
   */
  public static Scribe create(KeyBasedRouter router, ScribeConfig config, ScribeObserver observer) {
    return new ScribeNode(
        Objects.requireNonNull(router),
        Objects.requireNonNull(config),
        Objects.requireNonNull(observer));
  }

  /** With the default configuration and no observer. */
  public static Scribe create(KeyBasedRouter router) {
    return create(router, ScribeConfig.defaults(), ScribeObserver.NONE);
  }
}
