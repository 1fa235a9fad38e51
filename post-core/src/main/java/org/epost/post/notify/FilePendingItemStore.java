package org.epost.post.notify;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.Scheduler;
import org.epost.post.disk.Journal;
import org.epost.post.disk.JournalCorruptException;

/**
 * The pending items a real node stores for others, on disk (ADR 0107): a journal {@code
 * pending.journal} (kind {@code PEND}) under the given directory of PUT records (inbox key, item
 * id, rate token, expiry, sealed bytes) and REMOVE records (inbox key, item id). A put's stage
 * completes once its record is forced to disk, and the storer acknowledges ({@code STORED}) only
 * then, so an item a depositor counted towards its majority survives a crash or restart of this
 * node. Removals are write-behind (a lost one brings an item back until the recipient's next
 * acknowledgement or its expiry).
 *
 * <p><b>Bounds.</b> The items are also kept in memory (reads are served from memory, without
 * touching the loop's thread with I/O): at most {@code maxBytes} of sealed bytes ({@link
 * NotifyConfig#storeMaxBytes}, 256 MiB by default) and {@code maxItems} items; a put beyond either
 * fails with {@link IOException} "pending store full" (the storer refuses the item with {@code
 * STORE_FULL}). The journal is compacted (rewritten with only the live items, crash-safely) when it
 * exceeds twice the live records plus 1 MiB, so the file stays under {@code 2 * maxBytes} plus
 * record overheads and 1 MiB.
 *
 * <p><b>Recovery.</b> Opening replays the journal; a torn last record (a crash during an
 * unacknowledged append) is cut off; damage before the end is a {@link JournalCorruptException}.
 *
 * <p>Threading: {@link #open} reads the file: call it off the loop. Then loop only; the I/O runs on
 * {@code disk}, the stages complete on {@code loop}.
 */
public final class FilePendingItemStore implements PendingItemStore {
  private static final byte PUT = 1;
  private static final byte REMOVE = 2;
  private static final long COMPACT_SLACK = 1 << 20;

  private final Journal journal;
  private final long maxBytes;
  private final int maxItems;
  private final Map<Id, LinkedHashMap<String, Item>> items = new LinkedHashMap<>();
  private long bytes;
  private long liveRecordBytes;
  private int count;
  private CompletionStage<Void> compacting;

  private FilePendingItemStore(Journal journal, long maxBytes, int maxItems) {
    this.journal = journal;
    this.maxBytes = maxBytes;
    this.maxItems = maxItems;
  }

  /**
   * Opens (creating if absent) the store in {@code dir}, bounded by {@code config}'s {@link
   * NotifyConfig#storeMaxBytes} and {@code storeMaxRecipients * recipientMaxItems} items (at most
   * 1,000,000). Blocking: call off the loop.
   *
   * @throws JournalCorruptException if the journal is damaged before its end
   * @throws IOException if it cannot be read or created
   */
  public static FilePendingItemStore open(
      Path dir, Executor disk, Scheduler loop, NotifyConfig config) throws IOException {
    long items =
        Math.min(1_000_000L, (long) config.storeMaxRecipients() * config.recipientMaxItems());
    Journal j =
        Journal.open(
            dir.resolve("pending.journal"), "PEND", config.maxSealedBytes() + 512, disk, loop);
    FilePendingItemStore s = new FilePendingItemStore(j, config.storeMaxBytes(), (int) items);
    long offset = 0;
    for (byte[] r : j.recovered()) {
      try {
        s.replay(r);
      } catch (BufferUnderflowException | IllegalArgumentException e) {
        throw new IOException(
            "pending store "
                + j.file()
                + ": record "
                + offset
                + " has a valid checksum but does not"
                + " decode ("
                + e
                + "): written by another version?",
            e);
      }
      offset++;
    }
    return s;
  }

  private void replay(byte[] r) {
    ByteBuffer b = ByteBuffer.wrap(r);
    byte type = b.get();
    Id inbox = Id.read(b);
    byte[] id = Journal.Records.getShortBytes(b);
    if (type == PUT) {
      byte[] token = Journal.Records.getShortBytes(b);
      long expires = b.getLong();
      byte[] sealed = new byte[b.getInt()];
      b.get(sealed);
      remember(new Item(inbox, id, token, expires, sealed), r.length);
    } else if (type == REMOVE) {
      forget(inbox, id);
    } else {
      throw new IllegalArgumentException("unknown record type " + type);
    }
  }

  private static byte[] encodePut(Item it) {
    ByteBuffer b =
        Journal.Records.buffer(
            1 + 20 + 2 + it.itemId().length + 2 + it.token().length + 8 + 4 + it.sealed().length);
    b.put(PUT);
    it.inbox().write(b);
    Journal.Records.putShortBytes(b, it.itemId());
    Journal.Records.putShortBytes(b, it.token());
    b.putLong(it.expiresAt());
    b.putInt(it.sealed().length);
    b.put(it.sealed());
    return Journal.Records.bytes(b);
  }

  private static byte[] encodeRemove(Id inbox, byte[] id) {
    ByteBuffer b = Journal.Records.buffer(1 + 20 + 2 + id.length);
    b.put(REMOVE);
    inbox.write(b);
    Journal.Records.putShortBytes(b, id);
    return Journal.Records.bytes(b);
  }

  private void remember(Item it, int recordLength) {
    forget(it.inbox(), it.itemId());
    items
        .computeIfAbsent(it.inbox(), k -> new LinkedHashMap<>())
        .put(MemoryPendingItemStore.hex(it.itemId()), it);
    bytes += it.sealed().length;
    liveRecordBytes += Journal.footprint(recordLength);
    count++;
  }

  private boolean forget(Id inbox, byte[] id) {
    Map<String, Item> m = items.get(inbox);
    Item old = m == null ? null : m.remove(MemoryPendingItemStore.hex(id));
    if (old == null) {
      return false;
    }
    if (m.isEmpty()) {
      items.remove(inbox);
    }
    bytes -= old.sealed().length;
    liveRecordBytes -= Journal.footprint(encodedPutLength(old));
    count--;
    return true;
  }

  private static int encodedPutLength(Item it) {
    return 1 + 20 + 2 + it.itemId().length + 2 + it.token().length + 8 + 4 + it.sealed().length;
  }

  @Override
  public CompletionStage<Void> put(
      Id inbox, byte[] itemId, byte[] token, long expiresAt, byte[] sealed) {
    Item it = new Item(inbox, itemId.clone(), token.clone(), expiresAt, sealed.clone());
    Map<String, Item> m = items.get(inbox);
    Item old = m == null ? null : m.get(MemoryPendingItemStore.hex(itemId));
    long newBytes = bytes - (old == null ? 0 : old.sealed().length) + sealed.length;
    int newCount = count + (old == null ? 1 : 0);
    if (newBytes > maxBytes || newCount > maxItems) {
      return CompletableFuture.failedFuture(
          new IOException(
              "pending store full: "
                  + count
                  + " items, "
                  + bytes
                  + " bytes held (bounds "
                  + maxItems
                  + " items, "
                  + maxBytes
                  + " bytes)"));
    }
    byte[] record = encodePut(it);
    remember(it, record.length);
    CompletionStage<Void> done = journal.append(record);
    maybeCompact();
    return done;
  }

  @Override
  public byte[] get(Id inbox, byte[] itemId) {
    Map<String, Item> m = items.get(inbox);
    Item it = m == null ? null : m.get(MemoryPendingItemStore.hex(itemId));
    return it == null ? null : it.sealed().clone();
  }

  @Override
  public void remove(Id inbox, byte[] itemId) {
    if (forget(inbox, itemId)) {
      journal.append(encodeRemove(inbox, itemId));
      maybeCompact();
    }
  }

  @Override
  public List<Item> held() {
    List<Item> out = new ArrayList<>(count);
    for (Map<String, Item> m : items.values()) {
      out.addAll(m.values());
    }
    return out;
  }

  /** Items held. */
  public int size() {
    return count;
  }

  /** Bytes of the journal file once the queued writes ran. */
  public long fileBytes() {
    return journal.size();
  }

  /** Bytes of a torn tail cut off when the store was opened. */
  public long recoveredTailBytes() {
    return journal.recoveredTailBytes();
  }

  /** Closes the file after the queued writes (a clean stop; a crash needs none). */
  public CompletionStage<Void> close() {
    return journal.close();
  }

  private void maybeCompact() {
    if (compacting != null || journal.size() <= 2 * liveRecordBytes + COMPACT_SLACK) {
      return;
    }
    List<byte[]> live = new ArrayList<>(count);
    for (Item it : held()) {
      live.add(encodePut(it));
    }
    CompletionStage<Void> c = journal.rewrite(live);
    compacting = c;
    c.whenComplete((v, e) -> compacting = null);
  }
}
