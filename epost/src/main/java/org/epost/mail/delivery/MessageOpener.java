package org.epost.mail.delivery;

import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailException;
import org.epost.mail.message.MessageLayout;
import org.epost.post.api.MessageRef;
import org.epost.post.api.MessageStore;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartRole;

/**
 * Opens a message another user stored, with the reference from its notification: the message block
 * and the header part (of a small message stored inline, its one {@code STRUCTURE} part) are
 * fetched and verified as the store verifies every block (hash against the reference's id,
 * decryption under its key), so a notification naming a block that is not what it claims fails here
 * with {@code CorruptMessageException}.
 */
interface MessageOpener {
  /** Most bytes of the header part read. */
  int MAX_HEADER_BYTES = 64 * 1024;

  /**
   * What opening read: the top-level header section (at most {@link #MAX_HEADER_BYTES}; empty if
   * the message has none), and, for a message stored inline (ADR 0147), its whole {@code STRUCTURE}
   * part, verified like every block (null otherwise).
   */
  record Opened(byte[] header, byte[] structurePart) {}

  /**
   * Opens the message: its header section from its {@link PartRole#HEADER} part, or, for a small
   * message stored inline, from its {@code STRUCTURE} part, which is then handed back whole so the
   * account need not read it again.
   */
  CompletableFuture<Opened> open(MessageRef ref);

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
                            if (header != null) {
                              return store
                                  .read(
                                      header.ref(),
                                      0,
                                      (int) Math.min(header.length(), MAX_HEADER_BYTES))
                                  .thenApply(h -> new Opened(h, null));
                            }
                            PartInfo structure = opened.first(PartRole.STRUCTURE);
                            if (structure == null
                                || structure.length() > MessageLayout.INLINE_MAX_BYTES) {
                              return CompletableFuture.completedFuture(
                                  new Opened(new byte[0], null));
                            }
                            return store
                                .read(structure.ref(), 0, (int) structure.length())
                                .thenApply(part -> new Opened(null, part));
                          });
                },
                deliverOn)
            .thenApply(o -> o.header() != null ? o : inlineHeader(o.structurePart()));
  }

  /** The header section of an inline message's {@code STRUCTURE} part (empty if not inline). */
  private static Opened inlineHeader(byte[] part) {
    MessageLayout layout;
    try {
      layout = MessageLayout.decode(part);
    } catch (IllegalArgumentException e) {
      throw new MailException(
          MailException.Kind.CORRUPT, "the message's structure part: " + e.getMessage());
    }
    byte[] bytes = layout.inlineBytes(part);
    if (bytes == null) {
      return new Opened(new byte[0], null);
    }
    int n = (int) Math.min(Math.min(layout.headerLength(), bytes.length), MAX_HEADER_BYTES);
    return new Opened(Arrays.copyOf(bytes, n), part);
  }
}
