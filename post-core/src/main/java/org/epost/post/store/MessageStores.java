package org.epost.post.store;

import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.Past;
import org.epost.post.api.MessageStore;

/** Creates the message store on a node. */
public final class MessageStores {
  private MessageStores() {}

  /**
   * A message store on {@code past}, encrypting with the owner's {@code encryption} ({@link
   * ConvergentEncryption#forUser}), renewing what {@code ledger} holds in a daily sweep that starts
   * within {@link StoreConfig#sweepJitterMillis()} of now. Call on the node's loop.
   */
  public static MessageStore create(
      NodeEnvironment env,
      Past past,
      ConvergentEncryption encryption,
      LeaseLedger ledger,
      StoreConfig config) {
    LoopConfinement.check(env.scheduler(), "MessageStores.create");
    PostMessageStore store = new PostMessageStore(env, past, encryption, ledger, config);
    store.startSweeps();
    return store;
  }
}
