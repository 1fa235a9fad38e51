package org.epost.post.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogException;
import org.epost.post.api.LogId;
import org.epost.post.api.LogWriter;

/**
 * The single writer of one log of this device (ADR 0102). One head write in flight at a time;
 * operations appended meanwhile wait (bounded) and go together into the next write. Every write
 * first confirms the newest head from a read quorum, then builds on the newest of that head and the
 * head this node last signed, and refuses to build on a head another live session wrote.
 *
 * <p>Local record ({@code log-writer/<id>}): context {@code "epost/log-writer"} v2, 1 session nonce
 * of the session that last signed a head here (16), 2 released (u8: 1 after a clean close), 3 that
 * head's signed encoding, 4 the installation identity of the local state that session held
 * exclusively (32 bytes), or nothing if it did not hold it exclusively (ADR 0108). Version 1
 * (fields 1-3) is still read, as a record without an identity. It is made durable before the head
 * is inserted, so a node never forgets a version it may have published and never signs a second
 * head with that version.
 */
final class SignedLogWriter implements LogWriter {
  private record Pending(byte[] op, CompletableFuture<Long> done) {}

  private static final String RECORD_CONTEXT = "epost/log-writer";
  private static final int RECORD_VERSION = 2;
  private static final int IDENTITY_BYTES = 32;

  private final SignedLogs logs;
  private final LogId id;
  private final LogApplication app;
  private final Id headId;
  private final LogCrypto crypto;
  private final String recordKey;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final List<CompletableFuture<Long>> openers = new ArrayList<>();
  private long pendingBytes;
  private boolean writing;
  private boolean claimed; // this session signed a head of this log
  private boolean fenced; // another session took the log over after this one wrote
  private CompletableFuture<Void> closing;
  private SignedObject recHead;
  private byte[] recSession;
  private boolean recReleased;
  private byte[] recIdentity; // the installation the recorded session held exclusively, or null
  private final byte[] identity; // this session's, or null: not held exclusively
  private long appSequence;

  SignedLogWriter(SignedLogs logs, LogId id, LogApplication app) {
    this.logs = logs;
    this.id = id;
    this.app = app;
    this.headId = SignedLogs.headId(id);
    this.crypto = logs.crypto(id);
    this.recordKey = SignedLogs.key("log-writer", id);
    byte[] own = logs.local.exclusiveIdentity();
    this.identity = own != null && own.length == IDENTITY_BYTES ? own : null;
    byte[] rec = logs.local.read(recordKey);
    if (rec != null) {
      try {
        CanonicalReader r = openRecord(rec);
        recSession = r.bytes(1, Head.SESSION_BYTES);
        recReleased = r.u8(2) == 1;
        recHead = SignedObject.decode(r.bytes(3, 1, rec.length));
        if (r.version() >= 2) {
          byte[] ident = r.bytes(4, 0, IDENTITY_BYTES);
          recIdentity = ident.length == IDENTITY_BYTES ? ident : null;
        }
        r.end();
        appSequence = SignedLogs.decodeHead(id, recHead).sequence();
      } catch (CryptoException | CompletionException e) {
        throw new IllegalStateException(
            "the local record of " + id + " is damaged (" + e.getMessage() + "); refusing to write",
            e);
      }
    }
  }

  @Override
  public LogId id() {
    return id;
  }

  @Override
  public CompletionStage<Long> open() {
    CompletableFuture<Long> f = new CompletableFuture<>();
    if (closing != null) {
      f.completeExceptionally(new LogException.WriterConflict(id + ": the writer was closed"));
      return f;
    }
    openers.add(f);
    kick();
    return f;
  }

  @Override
  public CompletionStage<Long> append(byte[] operation) {
    return append(List.of(operation));
  }

  @Override
  public CompletionStage<Long> append(List<byte[]> operations) {
    CompletableFuture<Long> last = new CompletableFuture<>();
    long bytes = 0;
    for (byte[] op : operations) {
      if (op.length > logs.config.maxOperationBytes()) {
        last.completeExceptionally(
            new LogException.LimitExceeded(
                "an operation of "
                    + op.length
                    + " bytes is over the bound of "
                    + logs.config.maxOperationBytes()));
        return last;
      }
      bytes += op.length;
    }
    if (operations.isEmpty()) {
      last.completeExceptionally(new IllegalArgumentException("no operation to append"));
      return last;
    }
    if (closing != null) {
      last.completeExceptionally(new LogException.WriterConflict(id + ": the writer was closed"));
      return last;
    }
    if (fenced) {
      last.completeExceptionally(fencedError());
      return last;
    }
    if (pending.size() + operations.size() > logs.config.maxPendingOperations()
        || pendingBytes + bytes > logs.config.maxPendingBytes()) {
      last.completeExceptionally(
          new LogException.LimitExceeded(
              id
                  + ": "
                  + pending.size()
                  + " operations already wait for the next head write; wait for them"));
      return last;
    }
    for (int i = 0; i < operations.size(); i++) {
      CompletableFuture<Long> f = i == operations.size() - 1 ? last : new CompletableFuture<>();
      pending.add(new Pending(operations.get(i).clone(), f));
    }
    pendingBytes += bytes;
    kick();
    return last;
  }

  @Override
  public CompletionStage<Void> close() {
    if (closing == null) {
      closing = new CompletableFuture<>();
      kick();
    }
    return closing;
  }

  // ---------------------------------------------------------------------------------------------

  private void kick() {
    if (writing) {
      return;
    }
    if (pending.isEmpty() && openers.isEmpty()) {
      if (closing != null && !closing.isDone()) {
        release();
      }
      return;
    }
    writing = true;
    logs.ring
        .lookupHead(headId)
        .thenCompose(this::confirm)
        .thenCompose(this::write)
        .whenComplete(
            (v, t) -> {
              writing = false;
              if (t != null) {
                failAll(RingAccess.cause(t));
              }
              kick();
            });
  }

  private void failAll(Throwable t) {
    for (Pending p : pending) {
      p.done.completeExceptionally(t);
    }
    pending.clear();
    pendingBytes = 0;
    for (CompletableFuture<Long> f : openers) {
      f.completeExceptionally(t);
    }
    openers.clear();
  }

  private LogException fencedError() {
    return new LogException.WriterConflict(
        id
            + ": another session of device "
            + id.device()
            + " took this log over after this session wrote it (a second process of this account"
            + " or a copy of this node's data directory runs); this session no longer writes it");
  }

  /** Decides what to build on, given the head a read quorum returned (null: none). */
  private CompletionStage<Head> confirm(PastObject o) {
    if (o == null) {
      if (recHead != null || logs.mark(id) != null) {
        throw new CompletionException(
            new LogException.Unavailable(
                "the ring says "
                    + id
                    + " does not exist, but this node "
                    + (recHead != null ? "wrote its version " + recHead.sequence() : "read it")
                    + ": its holders are away (ADR 0093); not starting a new log, retry later"));
      }
      return CompletableFuture.completedFuture(Head.empty(id.device()));
    }
    SignedObject served;
    try {
      served = SignedObject.decode(o.bytes());
    } catch (CryptoException e) {
      throw new CompletionException(new LogException.Corrupt(e.getMessage()));
    }
    Head ringHead = SignedLogs.decodeHead(id, served);
    Head newest = ringHead;
    if (recHead != null) {
      switch (SignedObject.decide(recHead, served)) {
        case EQUIVOCATION -> {
          fenced = true;
          throw new CompletionException(logs.equivocation(id, recHead, served));
        }
        case STALE -> newest = SignedLogs.decodeHead(id, recHead); // the ring lacks our newest
        default -> {}
      }
    }
    final Head base = newest;
    CompletionStage<Void> accepted =
        base == ringHead ? logs.accept(id, ringHead) : CompletableFuture.completedFuture(null);
    return accepted.thenCompose(x -> takeOver(base));
  }

  private CompletionStage<Head> takeOver(Head newest) {
    if (newest.isEmpty() || Arrays.equals(newest.session(), logs.session)) {
      return CompletableFuture.completedFuture(newest);
    }
    if (claimed) {
      fenced = true;
      logs.counters.writerConflicts++;
      throw new CompletionException(fencedError());
    }
    boolean ownPrevious = recSession != null && Arrays.equals(newest.session(), recSession);
    // The previous session of this installation, held exclusively then and now: its process has
    // ended (whoever holds the installation exclusively now made sure of it), so it is not a live
    // writer to wait for. A copy of the directory elsewhere has another identity (ADR 0108).
    boolean ownPreviousEnded =
        ownPrevious
            && identity != null
            && recIdentity != null
            && Arrays.equals(identity, recIdentity);
    long silent = logs.env.clock().wallMillis() - newest.wallMillis();
    if (!(ownPrevious && recReleased)
        && !ownPreviousEnded
        && silent < logs.config.takeoverQuietMillis()) {
      logs.counters.writerConflicts++;
      throw new CompletionException(
          new LogException.WriterConflict(
              id
                  + " was written "
                  + Math.max(0, silent / 1000)
                  + " s ago by session "
                  + HexFormat.of().formatHex(newest.session(), 0, 4)
                  + " of device "
                  + id.device()
                  + (ownPrevious
                      ? ", the previous session of this node, which did not stop cleanly"
                          + (identity == null
                              ? " (this node does not hold its log state exclusively)"
                              : recIdentity == null
                                  ? " (and did not hold its log state exclusively)"
                                  : " in another copy of this data directory (another path or"
                                      + " machine)")
                      : ", which is not this node's (this is session "
                          + HexFormat.of().formatHex(logs.session, 0, 4)
                          + ")")
                  + ": another process of this account is running, or this data directory was"
                  + " copied or restored from a backup. Stop the other process; this node will not"
                  + " publish a competing head, and takes the log over only after "
                  + logs.config.takeoverQuietMillis() / 1000
                  + " s without a write by the other session"));
    }
    if (newest.sequence() <= appSequence) {
      return CompletableFuture.completedFuture(newest);
    }
    return logs.contents(id, newest, appSequence)
        .thenApply(
            c -> {
              app.catchUp(c);
              appSequence = newest.sequence();
              return newest;
            });
  }

  /** Publishes one head with every pending operation on top of {@code base}. */
  private CompletionStage<Void> write(Head base) {
    for (CompletableFuture<Long> f : openers) {
      f.complete(base.sequence());
    }
    openers.clear();
    if (pending.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    List<Pending> batch = new ArrayList<>(pending);
    pending.clear();
    pendingBytes = 0;
    try {
      return publish(base, batch)
          .handle(
              (v, t) -> {
                if (t != null) {
                  Throwable c = RingAccess.cause(t);
                  for (Pending p : batch) {
                    p.done.completeExceptionally(c);
                  }
                }
                return null;
              });
    } catch (RuntimeException e) {
      Throwable c = RingAccess.cause(e);
      for (Pending p : batch) {
        p.done.completeExceptionally(c);
      }
      return CompletableFuture.completedFuture(null);
    }
  }

  private CompletionStage<Void> publish(Head base, List<Pending> batch) {
    LogConfig cfg = logs.config;
    long first = base.sequence();
    long newSequence = first + batch.size();
    List<byte[]> all = base.isEmpty() ? new ArrayList<>() : logs.tail(id, crypto, base);
    for (Pending p : batch) {
      all.add(p.op);
    }
    long tailFirst = base.isEmpty() ? 0 : base.tailFirst();
    List<Head.BlockRef> blocks = new ArrayList<>(base.blocks());
    byte[] tip = base.tip();
    List<byte[]> sealed = new ArrayList<>();
    while (Operations.encodedSize(all) > cfg.tailBytes()) {
      int n = 0;
      int size = 4;
      while (n < all.size() && (n == 0 || size + 4 + all.get(n).length <= cfg.blockBytes())) {
        size += 4 + all.get(n).length;
        n++;
      }
      List<byte[]> chunk = new ArrayList<>(all.subList(0, n));
      all = new ArrayList<>(all.subList(n, all.size()));
      byte[] block =
          crypto.seal(LogCrypto.ENTRY, Head.encodeEntry(id.device(), tip, tailFirst, chunk));
      tip = Sha256.hash(block);
      blocks.add(new Head.BlockRef(tip, tailFirst, n));
      sealed.add(block);
      tailFirst += n;
    }
    boolean snapshot =
        newSequence - base.snapshotSequence() >= cfg.snapshotEvery()
            || blocks.size() > cfg.maxBlocksSinceSnapshot();
    long expiry = logs.env.clock().wallMillis() + cfg.leaseMillis();
    CompletionStage<Head> next;
    if (snapshot) {
      byte[] state = app.snapshot(newSequence);
      if (state.length > cfg.maxSnapshotBytes()) {
        throw new CompletionException(
            new LogException.LimitExceeded(
                "the application's snapshot of "
                    + id
                    + " is "
                    + state.length
                    + " bytes, over "
                    + cfg.maxSnapshotBytes()));
      }
      byte[] keptTip = base.tip();
      next =
          logs.snapshots
              .put(crypto, state, expiry)
              .thenApply(
                  root ->
                      head(base, newSequence, keptTip, List.of(), root, newSequence, List.of()));
    } else {
      List<byte[]> tailOps = all;
      byte[] newTip = tip;
      next =
          RingAccess.parallel(
                  sealed,
                  cfg.fetchWindow(),
                  b ->
                      logs.ring
                          .insert(PastObject.immutable(b, expiry))
                          .thenApply(
                              x -> {
                                logs.counters.blockWrites++;
                                return x;
                              }))
              .thenApply(
                  x ->
                      head(
                          base,
                          newSequence,
                          newTip,
                          blocks,
                          base.snapshotRoot(),
                          base.snapshotSequence(),
                          tailOps));
    }
    return next.thenCompose(h -> sign(h, expiry, batch, first));
  }

  private Head head(
      Head base,
      long sequence,
      byte[] tip,
      List<Head.BlockRef> blocks,
      byte[] root,
      long snapshotSequence,
      List<byte[]> tailOps) {
    byte[] tail =
        tailOps.isEmpty() ? new byte[0] : crypto.seal(LogCrypto.TAIL, Operations.encode(tailOps));
    return new Head(
        base.version() + 1,
        id.device(),
        logs.session.clone(),
        logs.env.clock().wallMillis(),
        sequence,
        tip,
        List.copyOf(blocks),
        root,
        snapshotSequence,
        tail,
        null);
  }

  private CompletionStage<Void> sign(Head h, long expiry, List<Pending> batch, long first) {
    PastObject object =
        PastObject.mutable(logs.owner, id.label(), h.version(), h.encodePayload(), expiry);
    SignedObject signed;
    try {
      signed = SignedObject.decode(object.bytes());
    } catch (CryptoException e) {
      throw new IllegalStateException("a head this node signed does not decode", e);
    }
    byte[] record = record(signed, false);
    return logs.local
        .write(recordKey, record)
        .exceptionally(
            t -> {
              throw new CompletionException(
                  new LogException.Unavailable(
                      "could not record the head of " + id + " locally before publishing it",
                      RingAccess.cause(t)));
            })
        .thenCompose(
            x -> {
              recHead = signed;
              recSession = logs.session.clone();
              recReleased = false;
              claimed = true;
              return logs.ring.insert(object);
            })
        .handle(
            (n, t) -> {
              if (t != null) {
                Throwable c = RingAccess.cause(t);
                throw new CompletionException(
                    c instanceof LogException.Unavailable && recHead == signed
                        ? new LogException.Unavailable(
                            "version "
                                + h.version()
                                + " of "
                                + id
                                + " was not acknowledged by a majority; its operations may still"
                                + " appear in the log: "
                                + c.getMessage(),
                            c)
                        : c);
              }
              logs.counters.headWrites++;
              return null;
            })
        .thenCompose(
            x -> logs.accept(id, SignedLogs.decodeHead(id, signed)).exceptionally(t -> null))
        .thenApply(
            x -> {
              appSequence = Math.max(appSequence, h.sequence());
              for (int i = 0; i < batch.size(); i++) {
                batch.get(i).done.complete(first + i);
              }
              return null;
            });
  }

  private void release() {
    if (!claimed || recHead == null) {
      closing.complete(null);
      return;
    }
    byte[] record = record(recHead, true);
    recReleased = true;
    logs.local
        .write(recordKey, record)
        .whenComplete(
            (v, t) -> {
              if (t != null) {
                closing.completeExceptionally(RingAccess.cause(t));
              } else {
                closing.complete(null);
              }
            });
  }

  /** This session's local record of {@code head} (see the class comment). */
  private byte[] record(SignedObject head, boolean released) {
    return CanonicalWriter.start(RECORD_CONTEXT, RECORD_VERSION)
        .bytes(1, logs.session)
        .u8(2, released ? 1 : 0)
        .bytes(3, head.encode())
        .bytes(4, identity == null ? new byte[0] : identity)
        .toByteArray();
  }

  /** Opens a local record of the current version or of version 1 (no identity). */
  private static CanonicalReader openRecord(byte[] rec) throws CryptoException {
    try {
      return CanonicalReader.open(rec, RECORD_CONTEXT, RECORD_VERSION);
    } catch (CryptoException e) {
      try {
        return CanonicalReader.open(rec, RECORD_CONTEXT, 1);
      } catch (CryptoException e1) {
        throw e;
      }
    }
  }
}
