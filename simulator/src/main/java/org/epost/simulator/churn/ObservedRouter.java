package org.epost.simulator.churn;

import java.util.List;
import org.epost.overlay.api.AppEndpoint;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.NodeStatistics;
import org.epost.overlay.api.OverlayApplication;
import org.epost.overlay.api.RoutedMessage;
import org.epost.overlay.past.PastNodes;
import org.epost.overlay.past.api.PastObject;

/**
 * An honest simulated node's router as PAST sees it, with an independent witness on the receive
 * side: every object that reaches the node's PAST (insert, store, lookup reply) is checked here by
 * the experiment, outside PAST, so "corrupted copies that reached honest nodes" can be compared
 * with what PAST's own verification counted. Delegates everything else unchanged. Simulator only;
 * the experiments put it on honest nodes only when the run has byzantine storers (it verifies every
 * object a second time, about 7 % of a mail run's time).
 */
public final class ObservedRouter implements KeyBasedRouter {
  private final KeyBasedRouter delegate;
  private final Runnable onCorruptCopy;

  public ObservedRouter(KeyBasedRouter delegate, Runnable onCorruptCopy) {
    this.delegate = delegate;
    this.onCorruptCopy = onCorruptCopy;
  }

  @Override
  public NodeHandle localHandle() {
    return delegate.localHandle();
  }

  @Override
  public boolean isReady() {
    return delegate.isReady();
  }

  @Override
  public AppEndpoint register(int applicationId, OverlayApplication application) {
    return delegate.register(
        applicationId,
        new OverlayApplication() {
          @Override
          public void deliver(RoutedMessage message) {
            PastObject o = PastNodes.carriedObject(message.payload());
            if (o != null && !o.isValid()) {
              onCorruptCopy.run();
            }
            application.deliver(message);
          }

          @Override
          public boolean forward(RoutedMessage message, NodeHandle nextHop) {
            return application.forward(message, nextHop);
          }

          @Override
          public void update(NodeHandle handle, boolean joined) {
            application.update(handle, joined);
          }
        });
  }

  @Override
  public List<NodeHandle> replicaSet(Id key, int k) {
    return delegate.replicaSet(key, k);
  }

  @Override
  public List<NodeHandle> leafSet() {
    return delegate.leafSet();
  }

  @Override
  public List<NodeHandle> routingTableEntries() {
    return delegate.routingTableEntries();
  }

  @Override
  public NodeEnvironment environment() {
    return delegate.environment();
  }

  @Override
  public NodeStatistics statistics() {
    return delegate.statistics();
  }
}
