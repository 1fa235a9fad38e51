package org.epost.post.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.overlay.api.Scheduler;
import org.epost.post.api.MessageRef;
import org.epost.post.disk.Journal;
import org.epost.post.disk.JournalCorruptException;

/**
 * A lease ledger that survives restarts (ADR 0107): the entries in memory ({@link
 * MemoryLeaseLedger}, ordered by expiry) and a journal {@code leases.journal} (kind {@code LEAS})
 * of PUT (reference, expiry, holds: 113 bytes) and REMOVE (reference) records, write-behind on the
 * node's disk executor, as the {@link LeaseLedger} contract allows: a crash loses at most the
 * changes of the last moments (a lost hold costs a renewal the next time the message is filed).
 *
 * <p><b>Bounds.</b> At most {@code maxEntries} entries ({@link StoreConfig#maxLedgerEntries}; the
 * message store refuses a hold beyond it with {@code LedgerFullException}, and {@link #put} of a
 * new entry beyond it throws {@link IllegalStateException}). The journal is compacted when it
 * exceeds twice the live entries' records plus 64 KiB.
 *
 * <p>Threading: {@link #open} reads the file, off the loop; then loop only.
 */
public final class FileLeaseLedger implements LeaseLedger {
  private static final byte PUT = 1;
  private static final byte REMOVE = 2;
  private static final int REF = 100; // MessageRef.encode()
  private static final int PUT_BYTES = 1 + REF + 8 + 4;
  private static final long SLACK = 64 << 10;

  private final MemoryLeaseLedger index = new MemoryLeaseLedger();
  private final Journal journal;
  private final int maxEntries;
  private CompletionStage<Void> compacting;

  private FileLeaseLedger(Journal journal, int maxEntries) {
    this.journal = journal;
    this.maxEntries = maxEntries;
  }

  /**
   * Opens (creating if absent) the ledger in {@code dir}, holding at most {@code maxEntries}.
   * Blocking: off the loop.
   *
   * @throws JournalCorruptException if the journal is damaged before its end
   */
  public static FileLeaseLedger open(Path dir, Executor disk, Scheduler loop, int maxEntries)
      throws IOException {
    Journal j = Journal.open(dir.resolve("leases.journal"), "LEAS", PUT_BYTES, disk, loop);
    FileLeaseLedger l = new FileLeaseLedger(j, maxEntries);
    for (byte[] r : j.recovered()) {
      ByteBuffer b = ByteBuffer.wrap(r);
      try {
        byte type = b.get();
        if (type == 0) {
          continue; // a flush marker
        }
        byte[] ref = new byte[REF];
        b.get(ref);
        MessageRef m = MessageRef.decode(ref);
        if (type == PUT) {
          l.index.put(new Lease(m, b.getLong(), b.getInt()));
        } else {
          l.index.remove(m);
        }
      } catch (CryptoFormatException | RuntimeException e) {
        throw new IOException("lease ledger " + j.file() + ": a record does not decode: " + e, e);
      }
    }
    return l;
  }

  private static byte[] encode(Lease l) {
    ByteBuffer b = ByteBuffer.allocate(PUT_BYTES);
    b.put(PUT).put(l.ref().encode()).putLong(l.expiryWallMillis()).putInt(l.holds());
    return b.array();
  }

  @Override
  public Lease get(MessageRef ref) {
    return index.get(ref);
  }

  @Override
  public void put(Lease lease) {
    if (index.get(lease.ref()) == null && index.size() >= maxEntries) {
      throw new IllegalStateException(
          "the lease ledger holds its maximum of " + maxEntries + " messages");
    }
    index.put(lease);
    journal.append(encode(lease));
    maybeCompact();
  }

  @Override
  public boolean remove(MessageRef ref) {
    if (!index.remove(ref)) {
      return false;
    }
    ByteBuffer b = ByteBuffer.allocate(1 + REF);
    b.put(REMOVE).put(ref.encode());
    journal.append(b.array());
    maybeCompact();
    return true;
  }

  @Override
  public List<Lease> due(long wallMillis, int max) {
    return index.due(wallMillis, max);
  }

  @Override
  public int size() {
    return index.size();
  }

  /** Completes on the loop once every change made so far is on disk. */
  public CompletionStage<Void> flush() {
    return journal.append(new byte[] {0}).thenApply(v -> null);
  }

  private void maybeCompact() {
    if (compacting != null
        || journal.size() <= 2 * Journal.footprint(PUT_BYTES) * (long) index.size() + SLACK) {
      return;
    }
    List<byte[]> live = new ArrayList<>(index.size());
    for (Lease l : index.due(Long.MAX_VALUE, Integer.MAX_VALUE)) {
      live.add(encode(l));
    }
    CompletionStage<Void> c = journal.rewrite(live);
    compacting = c;
    c.whenComplete((v, e) -> compacting = null);
  }
}
