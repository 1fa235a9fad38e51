package org.epost.mail.message;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.epost.overlay.api.LoopBridge;
import org.epost.post.api.MessageRef;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRef;
import org.epost.post.api.StoredMessage;

/**
 * A {@link RingStore} on a node's loop-confined {@link MessageStore}: every call crosses onto the
 * loop through {@code bridge} and its stage completes on {@code deliverOn} (never the loop).
 */
public final class BridgedRingStore implements RingStore {
  private final LoopBridge bridge;
  private final Supplier<MessageStore> store;
  private final Executor deliverOn;

  /** {@code store} is read on the loop (so it may be replaced there when the node restarts). */
  public BridgedRingStore(LoopBridge bridge, Supplier<MessageStore> store, Executor deliverOn) {
    this.bridge = Objects.requireNonNull(bridge);
    this.store = Objects.requireNonNull(store);
    this.deliverOn = Objects.requireNonNull(deliverOn);
  }

  @Override
  public CompletionStage<StoredMessage> store(List<PartInput> parts) {
    return bridge.call(() -> store.get().store(parts), deliverOn);
  }

  @Override
  public CompletionStage<OpenedMessage> open(MessageRef ref) {
    return bridge.call(() -> store.get().open(ref), deliverOn);
  }

  @Override
  public CompletionStage<byte[]> read(PartRef part, long offset, int length) {
    return bridge.call(() -> store.get().read(part, offset, length), deliverOn);
  }
}
