package org.epost.overlay.past;

import java.util.concurrent.Executor;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.past.api.ObjectStore;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastConfig;

/** Creates PAST on an overlay node. */
public final class PastNodes {
  /** PAST's default application id on the key-based router. */
  public static final int APPLICATION_ID = 0x5041; // "PA"

  private PastNodes() {}

  /**
   * Registers PAST on {@code router} (call on the node's event loop).
   *
   * @param store the node's replica store (a {@code DiskObjectStore} in the product)
   * @param storageExecutor runs blocking store calls off the event loop; results come back to the
   *     loop. In a simulation pass {@code Runnable::run}: the store is in memory.
   */
  public static Past create(
      KeyBasedRouter router, ObjectStore store, Executor storageExecutor, PastConfig config) {
    return create(router, store, storageExecutor, config, new ReplicaKnowledge());
  }

  /**
   * As above, with the neighbourhood knowledge of an earlier run of this node (ADR 0080): a node
   * that comes back after an absence passes what it learnt before, as it keeps its disk.
   */
  public static Past create(
      KeyBasedRouter router,
      ObjectStore store,
      Executor storageExecutor,
      PastConfig config,
      ReplicaKnowledge knowledge) {
    return new PastNode(router, APPLICATION_ID, store, storageExecutor, config, knowledge);
  }

  /**
   * The object a PAST payload carries (an insert, a store or a lookup reply), unverified, or null
   * for every other message and for malformed payloads. For observers such as the storage
   * experiment's independent check of what reaches honest nodes; PAST itself verifies every copy.
   */
  public static org.epost.overlay.past.api.PastObject carriedObject(byte[] payload) {
    return PastCodec.carriedObject(payload);
  }
}
