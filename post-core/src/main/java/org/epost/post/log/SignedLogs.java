package org.epost.post.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.EquivocationProof;
import org.epost.crypto.api.SignedObject;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogException;
import org.epost.post.api.LogId;
import org.epost.post.api.LogLocalState;
import org.epost.post.api.LogStatus;
import org.epost.post.api.LogWriter;
import org.epost.post.api.Logs;

/**
 * The log service of one node for one user and device (ADR 0102). Create it on the node's loop with
 * {@link #create}; everything it does runs there.
 */
public final class SignedLogs implements Logs {
  /** Proofs kept in memory and in local state, at most. */
  static final int MAX_PROOFS = 64;

  private static final String PROOF_INDEX = "log-proofs";

  final NodeEnvironment env;
  final SigningKeyPair owner;
  final String device;
  final LogLocalState local;
  final LogConfig config;
  final Counters counters = new Counters();
  final RingAccess ring;
  final Snapshots snapshots;
  final byte[] session;
  private final byte[] logSecret;
  private final List<EquivocationProof> proofs = new ArrayList<>();
  private final Map<String, SignedLogWriter> writers = new HashMap<>();

  private SignedLogs(
      Past past,
      NodeEnvironment env,
      SigningKeyPair owner,
      String device,
      LogLocalState local,
      LogConfig config) {
    this.env = env;
    this.owner = owner;
    this.device = device;
    this.local = local;
    this.config = config;
    this.ring = new RingAccess(past, env.scheduler(), config, counters);
    this.snapshots = new Snapshots(ring, env.offLoop(), config, counters);
    this.logSecret = LogCrypto.logSecret(owner.exportSeed());
    this.session = new byte[Head.SESSION_BYTES];
    env.random().secure().nextBytes(session);
    byte[] index = local.read(PROOF_INDEX);
    if (index != null) {
      for (String key : new String(index, java.nio.charset.StandardCharsets.US_ASCII).split("\n")) {
        byte[] p = key.isEmpty() ? null : local.read(key);
        if (p != null) {
          try {
            proofs.add(EquivocationProof.decode(p));
          } catch (CryptoException e) {
            // a damaged local file: the proof is lost, the log's readers will find it again
          }
        }
      }
    }
  }

  /**
   * The log service of {@code owner}'s device {@code device} on a node: reads through {@code past},
   * keeps marks and the writer's record in {@code local}. Each call starts a new writer session (a
   * fresh session nonce from the node's secure generator). Call on the node's loop.
   */
  public static SignedLogs create(
      Past past,
      NodeEnvironment env,
      SigningKeyPair owner,
      String device,
      LogLocalState local,
      LogConfig config) {
    new LogId(owner.publicKey(), device, "x"); // validates the device id
    return new SignedLogs(past, env, owner, device, local, config);
  }

  @Override
  public LogWriter writer(String name, LogApplication application) {
    LogId id = new LogId(owner.publicKey(), device, name);
    return writers.computeIfAbsent(name, n -> new SignedLogWriter(this, id, application));
  }

  @Override
  public CompletionStage<LogContents> read(LogId id, long knownSequence) {
    if (!id.owner().equals(owner.publicKey())) {
      throw new IllegalArgumentException("this node holds the log secret of its own user only");
    }
    return readHead(id).thenCompose(h -> contents(id, h, knownSequence));
  }

  @Override
  public LogStatus status() {
    return new LogStatus(
        counters.headWrites,
        counters.blockWrites,
        counters.snapshotWrites,
        counters.objectsFetched,
        counters.rollbacksRejected,
        counters.equivocationsProven,
        counters.corruptionsDetected,
        counters.writerConflicts,
        proofs);
  }

  /** The session nonce of this service (tests and status pages). */
  public byte[] session() {
    return session.clone();
  }

  // ---------------------------------------------------------------------------------------------

  LogCrypto crypto(LogId id) {
    return new LogCrypto(logSecret, id.label(), env.random().secure());
  }

  static Id headId(LogId id) {
    return PastObject.mutableId(id.owner(), id.label());
  }

  static String key(String kind, LogId id) {
    return kind + "/" + HexFormat.of().formatHex(Arrays.copyOf(headId(id).toBytes(), 16));
  }

  /** Decodes a verified head; the device must be the log's. */
  static Head decodeHead(LogId id, SignedObject signed) {
    byte[] payload = signed.payload();
    try {
      Head h = Head.decode(signed, Arrays.copyOfRange(payload, 8, payload.length));
      if (!h.device().equals(id.device())) {
        throw new CryptoFormatException("head of device " + h.device() + " under " + id);
      }
      return h;
    } catch (CryptoException e) {
      throw new CompletionException(
          new LogException.Corrupt("the owner's head of " + id + " is malformed: " + e));
    }
  }

  /** The head this node last accepted for {@code id}, or null. */
  SignedObject mark(LogId id) {
    byte[] m = local.read(key("log-mark", id));
    if (m == null) {
      return null;
    }
    try {
      return SignedObject.decode(m);
    } catch (CryptoException e) {
      return null; // a damaged mark file: treated as absent (the writer record still guards)
    }
  }

  /**
   * Reads the head of {@code id} from a read quorum and accepts it against the mark: completes with
   * the head (the empty head for a log never written), or fails typed.
   */
  CompletionStage<Head> readHead(LogId id) {
    return ring.lookupHead(headId(id))
        .thenCompose(
            o -> {
              if (o == null) {
                SignedObject m = mark(id);
                if (m != null) {
                  throw new CompletionException(
                      new LogException.Unavailable(
                          "the ring says "
                              + id
                              + " does not exist, but this node has read its version "
                              + m.sequence()
                              + ": its holders are away (ADR 0093); retry later"));
                }
                return CompletableFuture.completedFuture(Head.empty(id.device()));
              }
              SignedObject signed;
              try {
                signed = SignedObject.decode(o.bytes());
              } catch (CryptoException e) {
                throw new CompletionException(new LogException.Corrupt(e.getMessage()));
              }
              Head h = decodeHead(id, signed);
              return accept(id, h).thenApply(x -> h);
            });
  }

  /** Checks {@code h} against the high-water mark of {@code id}; moves the mark to it. */
  CompletionStage<Void> accept(LogId id, Head h) {
    SignedObject m = mark(id);
    SignedObject.Decision d = SignedObject.decide(m, h.signed());
    switch (d) {
      case DUPLICATE:
        return CompletableFuture.completedFuture(null);
      case STALE:
        counters.rollbacksRejected++;
        throw new CompletionException(
            new LogException.RolledBack(
                "the ring served version "
                    + h.version()
                    + " of "
                    + id
                    + ", older than version "
                    + m.sequence()
                    + " this node accepted before: a storer serves an old head, or the replicas"
                    + " with the newer one are away",
                h.version(),
                m.sequence()));
      case EQUIVOCATION:
        throw new CompletionException(equivocation(id, m, h.signed()));
      case FOREIGN:
        throw new CompletionException(
            new LogException.Corrupt("the head served for " + id + " is another object"));
      default:
        return local
            .write(key("log-mark", id), h.signed().encode())
            .exceptionally(
                t -> {
                  throw new CompletionException(
                      new LogException.Unavailable(
                          "could not record the high-water mark of " + id, RingAccess.cause(t)));
                });
    }
  }

  /** Records a proof (counted, kept in local state) and returns the failure to report. */
  LogException.Equivocated equivocation(LogId id, SignedObject a, SignedObject b) {
    EquivocationProof proof = EquivocationProof.of(a, b);
    counters.equivocationsProven++;
    if (proofs.size() < MAX_PROOFS) {
      proofs.add(proof);
      String k = key("log-proof", id) + "-" + a.sequence();
      local.write(k, proof.encode());
      byte[] idx = local.read(PROOF_INDEX);
      String list =
          (idx == null ? "" : new String(idx, java.nio.charset.StandardCharsets.US_ASCII));
      local.write(
          PROOF_INDEX, (list + k + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    return new LogException.Equivocated(
        "the owner signed two different heads with version "
            + a.sequence()
            + " of "
            + id
            + ": the log forked (another process or device wrote with the same keys and device"
            + " id); the proof is kept and shown in the status",
        proof);
  }

  /** What a reader gets from head {@code h}, given it holds {@code known} operations. */
  CompletionStage<LogContents> contents(LogId id, Head h, long known) {
    if (h.isEmpty()) {
      return CompletableFuture.completedFuture(new LogContents(id, 0, 0, null, 0, List.of()));
    }
    LogCrypto crypto = crypto(id);
    boolean incremental = known >= h.snapshotSequence() && known <= h.sequence();
    long from = incremental ? known : h.snapshotSequence();
    List<Head.BlockRef> needed = new ArrayList<>();
    for (Head.BlockRef b : h.blocks()) {
      if (b.first() + b.count() > from) {
        needed.add(b);
      }
    }
    CompletionStage<byte[]> snapshot =
        incremental || h.snapshotRoot().length == 0
            ? CompletableFuture.completedFuture(null)
            : snapshots.get(crypto, h.snapshotRoot());
    CompletionStage<List<Head.Entry>> entries =
        RingAccess.parallel(
            needed,
            config.fetchWindow(),
            b -> ring.fetchBlock(b.id()).thenApply(bytes -> entry(id, crypto, b, bytes)));
    return entries.thenCombine(
        snapshot,
        (es, snap) -> {
          List<byte[]> ops = new ArrayList<>();
          long first = needed.isEmpty() ? h.tailFirst() : needed.get(0).first();
          for (int i = 0; i < es.size(); i++) {
            if (i > 0 && !Arrays.equals(es.get(i).prev(), needed.get(i - 1).id())) {
              counters.corruptionsDetected++;
              throw new CompletionException(
                  new LogException.Corrupt("entry blocks of " + id + " do not form a chain"));
            }
            ops.addAll(es.get(i).ops());
          }
          ops.addAll(tail(id, crypto, h));
          List<byte[]> result = ops.subList((int) (from - first), ops.size());
          return new LogContents(id, h.version(), h.sequence(), snap, from, result);
        });
  }

  private Head.Entry entry(LogId id, LogCrypto crypto, Head.BlockRef ref, byte[] bytes) {
    try {
      Head.Entry e =
          Head.decodeEntry(crypto.open(LogCrypto.ENTRY, bytes), LogConfig.MAX_BLOCK_BYTES);
      if (e.first() != ref.first()
          || e.ops().size() != ref.count()
          || !e.device().equals(id.device())) {
        throw new CryptoFormatException("entry block does not match its head");
      }
      return e;
    } catch (CryptoException ex) {
      counters.corruptionsDetected++;
      throw new CompletionException(
          new LogException.Corrupt("an entry block of " + id + " is invalid: " + ex.getMessage()));
    }
  }

  /** The operations of the head's inline tail. */
  List<byte[]> tail(LogId id, LogCrypto crypto, Head h) {
    if (h.tail().length == 0) {
      return new ArrayList<>();
    }
    try {
      List<byte[]> ops =
          Operations.decode(crypto.open(LogCrypto.TAIL, h.tail()), LogConfig.MAX_BLOCK_BYTES);
      if (ops.size() != h.sequence() - h.tailFirst()) {
        throw new CompletionException(
            new LogException.Corrupt("the tail of " + id + " does not match its sequence"));
      }
      return new ArrayList<>(ops);
    } catch (CryptoException e) {
      counters.corruptionsDetected++;
      throw new CompletionException(
          new LogException.Corrupt("the tail of " + id + " is invalid: " + e.getMessage()));
    }
  }

  static byte[] hash(SignedObject s) {
    return Sha256.hash(s.encode());
  }
}
