package org.epost.mail.mailbox;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.SequenceInputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailException.Kind;
import org.epost.mail.api.StoredMail;
import org.epost.mail.message.MailFailures;
import org.epost.mail.message.MessageCache;
import org.epost.mail.message.MessageLayout;
import org.epost.mail.message.RangedReader;
import org.epost.mail.message.RingStore;
import org.epost.post.api.MessageRef;
import org.epost.post.api.OpenedMessage;

/**
 * How an account reads its messages: a message's layout from the metadata index, else from its
 * {@code STRUCTURE} part on the ring (then recorded in the index); a byte range of one copy from
 * the encrypted local cache when it holds the message, else from the ring, part by part. Keeps the
 * most recently opened message blocks (256) so a client reading a message in pieces opens it once.
 *
 * <p>Thread-safe: called from IMAP workers, the indexer and the account's executor; the index and
 * the cache come later than the rest ({@link #attach}) because they are opened off the caller's
 * thread.
 */
final class MessageReads {
  private static final int OPENED_KEPT = 256;

  private final RingStore ring;
  private final Executor executor;
  private final long callTimeoutMillis;
  private final Map<MessageRef, OpenedMessage> opened =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<MessageRef, OpenedMessage> e) {
              return size() > OPENED_KEPT;
            }
          });
  private volatile MetadataIndex index;
  private volatile MessageCache cache;

  MessageReads(RingStore ring, Executor executor, long callTimeoutMillis) {
    this.ring = ring;
    this.executor = executor;
    this.callTimeoutMillis = callTimeoutMillis;
  }

  /** The account's metadata index and message cache, once open. */
  void attach(MetadataIndex index, MessageCache cache) {
    this.index = index;
    this.cache = cache;
  }

  /** The message's layout: the index's, else the ring's {@code STRUCTURE} part's (then indexed). */
  CompletionStage<MessageLayout> layout(StoredMail mail) {
    MetadataIndex known = index;
    MessageLayout l = known == null ? null : known.get(mail.ref());
    if (l != null) {
      return CompletableFuture.completedFuture(l);
    }
    return opened(mail.ref())
        .thenCompose(
            o -> {
              long len = o.parts().get(MessageLayout.STRUCTURE_PART).length();
              if (len > MessageLayout.MAX_ENCODED_BYTES) {
                throw new MailException(Kind.CORRUPT, "a structure part of " + len + " bytes");
              }
              return ring.read(o.parts().get(MessageLayout.STRUCTURE_PART).ref(), 0, (int) len);
            })
        .thenApplyAsync(
            bytes -> {
              MessageLayout layout;
              try {
                layout = MessageLayout.decode(bytes);
              } catch (IllegalArgumentException e) {
                throw new MailException(
                    Kind.CORRUPT, "the message's structure part: " + e.getMessage());
              }
              if (layout.size() != mail.size()) {
                throw new MailException(Kind.CORRUPT, "the structure part disagrees on the size");
              }
              keep(mail, layout, bytes);
              return layout;
            },
            executor);
  }

  /**
   * A message's {@code STRUCTURE} part the caller read from the ring and verified: its layout goes
   * into the metadata index and, for an inline message, its bytes into the local cache (see {@link
   * org.epost.mail.api.MailAccount#alreadyRead}). A part that does not decode or disagrees with
   * {@code mail} on the size is ignored: the next read goes to the ring and fails there.
   */
  void alreadyRead(StoredMail mail, byte[] structurePart) {
    MessageLayout layout;
    try {
      layout = MessageLayout.decode(structurePart);
    } catch (IllegalArgumentException e) {
      return;
    }
    if (layout.size() == mail.size()) {
      keep(mail, layout, structurePart);
    }
  }

  private void keep(StoredMail mail, MessageLayout layout, byte[] structurePart) {
    MetadataIndex i = index;
    if (i != null && !i.contains(mail.ref())) {
      i.put(mail.ref(), layout);
    }
    MessageCache c = cache;
    byte[] inline = layout.inlineBytes(structurePart);
    if (c != null && inline != null && !c.contains(mail.ref())) {
      try {
        c.put(mail.ref(), new ByteArrayInputStream(inline), inline.length);
      } catch (IOException e) {
        // the cache is an optimisation: the message reads from the ring
      }
    }
  }

  private CompletionStage<OpenedMessage> opened(MessageRef ref) {
    OpenedMessage o = opened.get(ref);
    if (o != null) {
      return CompletableFuture.completedFuture(o);
    }
    return ring.open(ref)
        .thenApply(
            m -> {
              opened.put(ref, m);
              return m;
            });
  }

  /**
   * A blocking stream of {@code [offset, offset+length)} of a copy ({@code added} header lines in
   * front of the stored bytes): from the local cache when it holds the message, else from the ring.
   */
  InputStream read(StoredMail mail, byte[] added, long offset, long length) throws IOException {
    MessageCache c = cache;
    if (c != null && offset >= 0 && length >= 0) {
      long total = added.length + mail.size();
      long start = Math.min(offset, total);
      long end = Math.min(total, start + Math.min(length, Long.MAX_VALUE - start));
      long from = Math.max(0, start - added.length);
      long to = Math.max(0, end - added.length);
      InputStream stored = c.open(mail.ref(), mail.size(), from, to - from);
      if (stored != null) {
        int hs = (int) Math.min(start, added.length);
        int he = (int) Math.min(end, added.length);
        return new SequenceInputStream(new ByteArrayInputStream(added, hs, he - hs), stored);
      }
    }
    return readFromRing(mail, added, offset, length);
  }

  /** As {@link #read}, always from the ring (each block verified). */
  InputStream readFromRing(StoredMail mail, byte[] added, long offset, long length)
      throws IOException {
    try {
      MessageLayout layout =
          layout(mail).toCompletableFuture().get(callTimeoutMillis, TimeUnit.MILLISECONDS);
      OpenedMessage o =
          opened(mail.ref()).toCompletableFuture().get(callTimeoutMillis, TimeUnit.MILLISECONDS);
      return new RangedReader(ring, o.parts(), layout, added, callTimeoutMillis)
          .open(offset, length);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw MailFailures.toMail("reading the message", e);
    }
  }
}
