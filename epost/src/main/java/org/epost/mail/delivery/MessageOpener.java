package org.epost.mail.delivery;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.epost.mail.api.AccountServices;
import org.epost.post.api.MessageRef;
import org.epost.post.api.MessageStore;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartRole;

/**
 * Opens a message another user stored, with the reference from its notification: the message block
 * and the header part are fetched and verified as the store verifies every block (hash against the
 * reference's id, decryption under its key), so a notification naming a block that is not what it
 * claims fails here with {@code CorruptMessageException}.
 */
interface MessageOpener {
  /** Most bytes of the header part read. */
  int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * The message's top-level header section (its {@link PartRole#HEADER} part, at most {@link
   * #MAX_HEADER_BYTES}); empty if the message has none.
   */
  CompletableFuture<byte[]> headerSection(MessageRef ref);

  /** Over the recipient's message store, on the node's loop through the bridge. */
  static MessageOpener of(AccountServices services, Executor deliverOn) {
    return ref ->
        services
            .bridge()
            .call(
                () -> {
                  MessageStore store = services.post().store();
                  return store
                      .open(ref)
                      .thenCompose(
                          opened -> {
                            PartInfo header = opened.first(PartRole.HEADER);
                            if (header == null) {
                              return CompletableFuture.completedFuture(new byte[0]);
                            }
                            return store.read(
                                header.ref(), 0, (int) Math.min(header.length(), MAX_HEADER_BYTES));
                          });
                },
                deliverOn);
  }
}
