package org.epost.post.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.Past;
import org.epost.post.api.MessageRef;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartReader;
import org.epost.post.api.PartRef;
import org.epost.post.api.StoreException;
import org.epost.post.api.StoreStatistics;
import org.epost.post.api.StoredMessage;

/** The message store on one node (ADR 0100, ADR 0101). Loop only; see {@link MessageStore}. */
final class PostMessageStore implements MessageStore {
  private final NodeEnvironment env;
  private final ConvergentEncryption ce;
  private final LeaseLedger ledger;
  private final StoreConfig config;
  private final Counters counters = new Counters();
  private final BlockIo io;
  private Cancellable sweepTimer;
  private CompletableFuture<Integer> sweeping;
  private boolean stopped;

  PostMessageStore(
      NodeEnvironment env,
      Past past,
      ConvergentEncryption ce,
      LeaseLedger ledger,
      StoreConfig config) {
    this.env = env;
    this.ce = ce;
    this.ledger = ledger;
    this.config = config;
    this.io = new BlockIo(env, past, config, counters);
  }

  /** Schedules the first sweep within the jitter of now, then one every period plus jitter. */
  void startSweeps() {
    scheduleSweep(jitter());
  }

  private long jitter() {
    long j = config.sweepJitterMillis();
    return j == 0 ? 0 : Math.floorMod(env.random().nextLong(), j);
  }

  private void scheduleSweep(long delay) {
    sweepTimer =
        env.scheduler()
            .schedule(
                delay,
                () -> {
                  if (stopped) {
                    return;
                  }
                  sweep()
                      .whenComplete(
                          (n, f) -> {
                            if (!stopped) {
                              scheduleSweep(config.sweepPeriodMillis() + jitter());
                            }
                          });
                });
  }

  private void check(String method) {
    LoopConfinement.check(env.scheduler(), method);
  }

  private <T> CompletionStage<T> stoppedStage(String what) {
    return CompletableFuture.failedFuture(
        new StoreException.StoreUnavailableException(
            "the message store on this node was stopped; " + what + " was not attempted", null));
  }

  @Override
  public CompletionStage<StoredMessage> store(List<PartInput> parts) {
    check("MessageStore.store");
    if (parts.isEmpty() || parts.size() > MAX_PARTS) {
      throw new IllegalArgumentException(
          "a message has 1.." + MAX_PARTS + " parts, got " + parts.size());
    }
    if (stopped) {
      return stoppedStage("storing a message");
    }
    return new MessageWriter(env, io, ce, config, counters, parts).start();
  }

  @Override
  public CompletionStage<OpenedMessage> open(MessageRef ref) {
    check("MessageStore.open");
    if (stopped) {
      return stoppedStage("opening " + ref);
    }
    String what = "the message block of " + ref;
    return io.fetch(ref.block(), what)
        .thenApply(
            plain -> {
              try {
                return new OpenedMessage(ref, Blocks.decodeMessage(plain));
              } catch (CryptoFormatException e) {
                counters.corruptBlocks++;
                throw BlockIo.failure(e, what);
              }
            });
  }

  @Override
  public CompletionStage<byte[]> read(PartRef part, long offset, int length) {
    check("MessageStore.read");
    if (length > MAX_READ_BYTES) {
      throw new IllegalArgumentException(
          "read at most " + MAX_READ_BYTES + " bytes at once; stream more with reader()");
    }
    PartReader reader = reader(part, offset, length);
    long available = Math.max(0, Math.min(length, part.length() - offset));
    byte[] out = new byte[(int) available];
    CompletableFuture<byte[]> result = new CompletableFuture<>();
    collect(reader, out, 0, result);
    return result;
  }

  private void collect(PartReader reader, byte[] out, int at, CompletableFuture<byte[]> result) {
    reader
        .next()
        .whenComplete(
            (chunk, f) -> {
              if (f != null) {
                result.completeExceptionally(BlockIo.unwrap(f));
              } else if (chunk == null) {
                result.complete(out);
              } else {
                System.arraycopy(chunk, 0, out, at, chunk.length);
                collect(reader, out, at + chunk.length, result);
              }
            });
  }

  @Override
  public PartReader reader(PartRef part, long offset, long length) {
    check("MessageStore.reader");
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0");
    }
    return new RangeReader(io, config.prefetch(), part, offset, length);
  }

  @Override
  public CompletionStage<Integer> renew(MessageRef ref, long expiryWallMillis) {
    check("MessageStore.renew");
    if (stopped) {
      return stoppedStage("renewing " + ref);
    }
    return renewBlocks(ref, expiryWallMillis);
  }

  /** Lists every block id of the message (reading message and interior blocks), renews each. */
  private CompletionStage<Integer> renewBlocks(MessageRef ref, long expiry) {
    String what = "the message block of " + ref;
    return io.fetch(ref.block(), what)
        .thenCompose(
            plain -> {
              List<PartInfo> parts;
              try {
                parts = Blocks.decodeMessage(plain);
              } catch (CryptoFormatException e) {
                counters.corruptBlocks++;
                throw BlockIo.failure(e, what);
              }
              List<BlockId> ids = new ArrayList<>();
              ids.add(ref.block().id());
              CompletableFuture<Void> walk = CompletableFuture.completedFuture(null);
              for (PartInfo p : parts) {
                ContentKey root = p.ref().root();
                int level = Blocks.rootLevel(root.length());
                walk =
                    walk.thenCompose(v -> collectIds(root, level, ids, ref).toCompletableFuture());
              }
              return walk.thenCompose(v -> new Renewal(ids, expiry, ref).start());
            });
  }

  private CompletionStage<Void> collectIds(
      ContentKey key, int level, List<BlockId> ids, MessageRef ref) {
    ids.add(key.id());
    if (level == 0) {
      return CompletableFuture.completedFuture(null);
    }
    if (level > Blocks.MAX_LEVEL) {
      return CompletableFuture.failedFuture(
          new StoreException.CorruptMessageException(
              ref + " has a part too deep to be a message", null));
    }
    String what = "a tree block of " + ref;
    return io.fetch(key, what)
        .thenCompose(
            plain -> {
              Blocks.Interior node;
              try {
                node = Blocks.decodeInterior(plain, level, key.length());
              } catch (CryptoFormatException e) {
                counters.corruptBlocks++;
                throw BlockIo.failure(e, what);
              }
              if (level == 1) {
                for (ContentKey c : node.children()) {
                  ids.add(c.id());
                }
                return CompletableFuture.completedFuture(null);
              }
              CompletableFuture<Void> walk = CompletableFuture.completedFuture(null);
              for (ContentKey c : node.children()) {
                walk =
                    walk.thenCompose(v -> collectIds(c, level - 1, ids, ref).toCompletableFuture());
              }
              return walk;
            });
  }

  /** Renews a list of blocks with at most the insert window in flight. */
  private final class Renewal {
    private final List<BlockId> ids;
    private final long expiry;
    private final MessageRef ref;
    private final CompletableFuture<Integer> result = new CompletableFuture<>();
    private int next;
    private int inFlight;
    private int done;

    Renewal(List<BlockId> ids, long expiry, MessageRef ref) {
      this.ids = ids;
      this.expiry = expiry;
      this.ref = ref;
    }

    CompletableFuture<Integer> start() {
      pump();
      return result;
    }

    private void pump() {
      while (!result.isDone() && inFlight < config.insertWindow() && next < ids.size()) {
        BlockId id = ids.get(next++);
        inFlight++;
        io.renew(id, expiry, "renewing a block of " + ref)
            .whenComplete(
                (v, f) -> {
                  inFlight--;
                  if (f != null) {
                    result.completeExceptionally(BlockIo.unwrap(f));
                    return;
                  }
                  done++;
                  if (done == ids.size()) {
                    result.complete(done);
                  } else {
                    pump();
                  }
                });
      }
    }
  }

  @Override
  public void hold(MessageRef ref, long knownExpiryWallMillis) {
    check("MessageStore.hold");
    LeaseLedger.Lease old = ledger.get(ref);
    if (old != null) {
      ledger.put(new LeaseLedger.Lease(ref, old.expiryWallMillis(), old.holds() + 1));
      return;
    }
    if (ledger.size() >= config.maxLedgerEntries()) {
      throw new StoreException.LedgerFullException(
          "this node's lease ledger holds its maximum of "
              + config.maxLedgerEntries()
              + " messages; "
              + ref
              + " is stored but will not be renewed from this node: delete mail or raise the"
              + " ledger bound");
    }
    long cap = env.clock().wallMillis() + config.leaseMillis();
    ledger.put(new LeaseLedger.Lease(ref, Math.min(Math.max(0, knownExpiryWallMillis), cap), 1));
  }

  @Override
  public boolean release(MessageRef ref) {
    check("MessageStore.release");
    LeaseLedger.Lease old = ledger.get(ref);
    if (old == null) {
      return false;
    }
    if (old.holds() == 1) {
      ledger.remove(ref);
    } else {
      ledger.put(new LeaseLedger.Lease(ref, old.expiryWallMillis(), old.holds() - 1));
    }
    return true;
  }

  @Override
  public CompletionStage<Integer> sweep() {
    check("MessageStore.sweep");
    if (stopped) {
      return stoppedStage("a renewal sweep");
    }
    if (sweeping != null) {
      return sweeping;
    }
    counters.sweeps++;
    long now = env.clock().wallMillis();
    // Budget: a message has at least one block; a sweep starts at most maxBlocksPerSweep renewals.
    List<LeaseLedger.Lease> due =
        ledger.due(now + config.renewWithinMillis(), config.maxBlocksPerSweep());
    sweeping = new CompletableFuture<>();
    CompletableFuture<Integer> mine = sweeping;
    sweepNext(due, 0, 0, 0, now + config.leaseMillis());
    return mine;
  }

  private void sweepNext(
      List<LeaseLedger.Lease> due, int index, int renewed, long blocks, long expiry) {
    if (index == due.size() || blocks >= config.maxBlocksPerSweep() || stopped) {
      CompletableFuture<Integer> s = sweeping;
      sweeping = null;
      s.complete(renewed);
      return;
    }
    MessageRef ref = due.get(index).ref();
    long before = counters.blocksRenewed;
    renewBlocks(ref, expiry)
        .whenComplete(
            (n, f) -> {
              long spent = counters.blocksRenewed - before;
              int ok = renewed;
              if (f == null) {
                ok++;
                LeaseLedger.Lease now = ledger.get(ref);
                if (now != null) { // not released meanwhile
                  ledger.put(new LeaseLedger.Lease(ref, expiry, now.holds()));
                }
              } else {
                counters.renewalFailures++;
              }
              sweepNext(due, index + 1, ok, blocks + Math.max(1, spent), expiry);
            });
  }

  @Override
  public StoreStatistics statistics() {
    check("MessageStore.statistics");
    return counters.snapshot(ledger.size());
  }

  @Override
  public void stop() {
    check("MessageStore.stop");
    stopped = true;
    io.stop();
    if (sweepTimer != null) {
      sweepTimer.cancel();
    }
  }
}
