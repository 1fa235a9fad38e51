package org.epost.post.directory;

import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.cert.CertificateVerifier;
import org.epost.crypto.primitives.Sha256;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.Directory;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.DirectoryStatus;
import org.epost.post.api.MailAddress;
import org.epost.post.api.SenderVerdict;
import org.epost.post.api.UserRecord;

/**
 * The directory of one node (ADR 0104). Create it on the node's loop with {@link #create};
 * everything it does runs there, so its maps need no locks; every one of them is bounded by {@link
 * DirectoryConfig}.
 */
public final class UserDirectory implements Directory {
  private final Past past;
  private final NodeEnvironment env;
  private final SigningPublicKey authority;
  private final CertificateVerifier verifier;
  private final DirectoryConfig config;

  private final BoundedLru<MailAddress, Cached> cache;
  private final BoundedLru<MailAddress, Long> negative;
  private final BoundedLru<MailAddress, Mark> marks;
  private final Map<MailAddress, CompletableFuture<UserRecord>> inFlight = new HashMap<>();
  private final DirectoryLocalState state;
  private RevocationList revocations;
  private SignedRevocations signedRevocations; // the ring object of the newest list, if known
  private CompletableFuture<Void> senderGate; // sender checks wait on it while not done
  private int gated;

  private long lookups;
  private long cacheHits;
  private long ringReads;
  private long notFound;
  private long unavailable;
  private long forgedEntries;
  private long revokedRefused;
  private long rollbacksRejected;
  private long cacheEvictions;
  private long sendersVerified;
  private long sendersForged;
  private long sendersRevoked;

  /** A verified record and when (monotonic) it was read from the ring. */
  private record Cached(UserRecord record, long fetchedAt) {}

  /** The newest entry this node accepted for an address: its sequence and content hash. */
  private record Mark(long sequence, byte[] hash) {}

  private UserDirectory(
      Past past,
      NodeEnvironment env,
      SigningPublicKey authority,
      DirectoryConfig config,
      DirectoryLocalState state) {
    this.past = past;
    this.env = env;
    this.authority = authority;
    this.verifier = new CertificateVerifier(authority);
    this.config = config;
    this.state = state;
    this.cache = new BoundedLru<>(config.cacheCapacity());
    this.negative = new BoundedLru<>(config.negativeCapacity());
    this.marks = new BoundedLru<>(config.markCapacity());
    for (DirectoryLocalState.StoredMark m : state.marks()) {
      try {
        marks.put(MailAddress.parse(m.address()), new Mark(m.sequence(), m.hash().clone()));
      } catch (IllegalArgumentException e) {
        // an address this version no longer accepts: it cannot be looked up either
      }
    }
    SignedRevocations list = state.revocations();
    if (list != null) {
      try {
        verifier.update(list.list());
      } catch (VerificationException e) {
        throw new IllegalStateException("the stored revocation list is not this ring's", e);
      }
      revocations = list.list();
      signedRevocations = list;
    }
  }

  /**
   * The directory of the ring whose authority key is {@code authority}, reading through {@code
   * past}. Call on the node's loop.
   */
  public static UserDirectory create(
      Past past, NodeEnvironment env, SigningPublicKey authority, DirectoryConfig config) {
    return new UserDirectory(past, env, authority, config, DirectoryLocalState.inMemory());
  }

  /**
   * As {@link #create(Past, NodeEnvironment, SigningPublicKey, DirectoryConfig)}, starting from
   * (and keeping) the marks and newest revocation list of {@code state} (ADR 0109): a restarted
   * node still refuses an entry older than one it accepted before, and still honours the list it
   * held. Call on the node's loop; {@code state} was opened before (off the loop).
   */
  public static UserDirectory create(
      Past past,
      NodeEnvironment env,
      SigningPublicKey authority,
      DirectoryConfig config,
      DirectoryLocalState state) {
    return new UserDirectory(past, env, authority, config, state);
  }

  /** How a revocation list offered by the ring was taken ({@link #offerRevocations}). */
  public enum Offer {
    /** Newer than the one held: installed, cached records it revokes evicted, kept on disk. */
    INSTALLED,
    /** The very list held. */
    CURRENT,
    /** An older version than the one held: refused. */
    STALE,
    /** The version held, but other content: the authority signed two lists of one version. */
    CONFLICT
  }

  /**
   * Offers a revocation list from the ring (checked by {@link SignedRevocations#decode}): installs
   * it when its version is higher than the held list's (evicting what it revokes, as {@link
   * #updateRevocations} does) and records it in the directory's local state. Call on the loop.
   */
  public Offer offerRevocations(SignedRevocations list) {
    LoopConfinement.check(env.scheduler(), "UserDirectory.offerRevocations");
    if (revocations != null && list.version() < revocations.version()) {
      return Offer.STALE;
    }
    if (revocations != null && list.version() == revocations.version()) {
      if (!list.list().equals(revocations)) {
        return Offer.CONFLICT;
      }
      if (signedRevocations == null) {
        signedRevocations = list;
        state.putRevocations(list);
      }
      return Offer.CURRENT;
    }
    if (!updateRevocations(list.list())) {
      return Offer.STALE;
    }
    signedRevocations = list;
    state.putRevocations(list);
    return Offer.INSTALLED;
  }

  /** The ring object of the newest revocation list this node holds, or null. */
  public SignedRevocations signedRevocations() {
    return signedRevocations;
  }

  /**
   * From now until {@link #releaseSenderChecks}, sender checks wait (their stages complete later)
   * instead of answering: a starting node asks the ring for the newest revocation list first, so
   * that a sender revoked while it was away is not accepted in the moments before it learns of it.
   * At most {@code maxInFlight} checks wait; beyond, a check is unavailable (retryable).
   */
  public void holdSenderChecks() {
    LoopConfinement.check(env.scheduler(), "UserDirectory.holdSenderChecks");
    if (senderGate == null || senderGate.isDone()) {
      senderGate = new CompletableFuture<>();
    }
  }

  /** Lets the sender checks held by {@link #holdSenderChecks} (and later ones) run. */
  public void releaseSenderChecks() {
    LoopConfinement.check(env.scheduler(), "UserDirectory.releaseSenderChecks");
    if (senderGate != null) {
      CompletableFuture<Void> g = senderGate;
      senderGate = null;
      gated = 0;
      g.complete(null);
    }
  }

  /** The ring authority's key this directory trusts. */
  public SigningPublicKey authority() {
    return authority;
  }

  @Override
  public CompletionStage<UserRecord> lookup(String address) {
    LoopConfinement.check(env.scheduler(), "Directory.lookup");
    lookups++;
    MailAddress a;
    try {
      a = MailAddress.parse(address);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new DirectoryException.InvalidAddress(address, "not an address: " + e.getMessage()));
    }
    Cached c = cache.get(a);
    if (c != null) {
      if (env.clock().nowMillis() - c.fetchedAt() <= config.cacheTtlMillis()) {
        try {
          checkCurrent(c.record());
          cacheHits++;
          return CompletableFuture.completedFuture(c.record());
        } catch (DirectoryException e) {
          return CompletableFuture.failedFuture(e);
        }
      }
      cache.remove(a);
    }
    Long deniedAt = negative.get(a);
    if (deniedAt != null) {
      if (env.clock().nowMillis() - deniedAt <= config.negativeTtlMillis()) {
        cacheHits++;
        notFound++;
        return CompletableFuture.failedFuture(
            new DirectoryException.NoSuchUser(
                a.value(), a + " is not enrolled in this ring (a quorum said so recently)"));
      }
      negative.remove(a);
    }
    return fetch(a);
  }

  @Override
  public CompletionStage<SenderVerdict> verifySender(String address, SigningPublicKey claimed) {
    LoopConfinement.check(env.scheduler(), "Directory.verifySender");
    if (senderGate != null) {
      if (gated >= config.maxInFlight()) {
        unavailable++;
        return CompletableFuture.failedFuture(
            new DirectoryException.Unavailable(
                address, "waiting for the ring's newest revocation list; retry"));
      }
      gated++;
      return senderGate.thenCompose(v -> verifySender(address, claimed));
    }
    MailAddress a;
    try {
      a = MailAddress.parse(address);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          forged(address, "the sender's address is malformed: " + e.getMessage()));
    }
    Cached c = cache.get(a);
    long now = env.clock().nowMillis();
    if (c != null
        && now - c.fetchedAt() <= config.cacheTtlMillis()
        && !c.record().signingKey().equals(claimed)
        && now - c.fetchedAt() < config.refreshMillis()) {
      // Checked moments ago and the key differs: no new quorum read for a forger's every message.
      lookups++;
      cacheHits++;
      return CompletableFuture.completedFuture(
          forged(a.value(), a + "'s certificate names another signing key"));
    }
    CompletionStage<UserRecord> r;
    if (c != null && !c.record().signingKey().equals(claimed)) {
      lookups++;
      cache.remove(a); // the user may have been re-issued a key: confirm from the ring
      r = fetch(a);
    } else {
      r = lookup(a.value());
    }
    return r.handle(
        (rec, t) -> {
          if (t == null) {
            if (rec.signingKey().equals(claimed)) {
              sendersVerified++;
              return new SenderVerdict(
                  SenderVerdict.Outcome.VALID,
                  address,
                  rec,
                  "certificate serial " + rec.certificate().serial());
            }
            return forged(a.value(), a + "'s certificate names another signing key");
          }
          Throwable e = cause(t);
          if (e instanceof DirectoryException.Revoked || e instanceof DirectoryException.Expired) {
            sendersRevoked++;
            return new SenderVerdict(SenderVerdict.Outcome.REVOKED, address, null, e.getMessage());
          }
          if (e instanceof DirectoryException.NoSuchUser) {
            // Not a verdict: a quorum of the entry's *current* replica set said "not found", which
            // is what it says of an enrolled user while every holder of the entry is away (a
            // correlated failure; they come back with it). A forged verdict would have the
            // notification rejected and every pending copy deleted (issue 14: an acknowledged
            // delivery lost at 1,000 users); retryable, the item stays and is checked again.
            unavailable++;
            throw new CompletionException(
                new DirectoryException.Unavailable(
                    a.value(),
                    "no entry of "
                        + a
                        + " found; a sender is not judged on \"not found\" (its entry's holders"
                        + " may be away): retry later",
                    e));
          }
          if (e instanceof DirectoryException.Forged
              || e instanceof DirectoryException.InvalidAddress) {
            return forged(a.value(), e.getMessage());
          }
          throw new CompletionException(e);
        });
  }

  @Override
  public CompletionStage<Integer> publish(DirectoryEntry entry) {
    LoopConfinement.check(env.scheduler(), "Directory.publish");
    MailAddress a = entry.address();
    DirectoryEntry checked;
    try {
      checked = DirectoryEntry.decode(entry.object(), authority, a);
    } catch (CryptoException e) {
      forgedEntries++;
      return CompletableFuture.failedFuture(
          new DirectoryException.Forged(
              a.value(), "refusing to publish an entry not issued by this ring's authority: " + e));
    }
    Mark m = marks.get(a);
    if (m != null && checked.sequence() < m.sequence()) {
      return CompletableFuture.failedFuture(
          new DirectoryException.RolledBack(
              a.value(),
              "this node holds entry version "
                  + m.sequence()
                  + " of "
                  + a
                  + ", newer than the "
                  + checked.sequence()
                  + " to publish"));
    }
    return retry(() -> past.insert(checked.object()), config.insertAttempts())
        .handle(
            (n, t) -> {
              if (t != null) {
                Throwable c = cause(t);
                if (c instanceof PastException.InvalidObjectException) {
                  throw new CompletionException(
                      new DirectoryException.Forged(a.value(), c.getMessage()));
                }
                throw new CompletionException(
                    new DirectoryException.Unavailable(
                        a.value(),
                        "the entry of " + a + " was not stored on a majority: " + c.getMessage(),
                        c));
              }
              try {
                accept(checked);
              } catch (DirectoryException e) {
                // revoked or expired: published all the same; the cache holds nothing for it
              }
              return n;
            });
  }

  @Override
  public boolean updateRevocations(RevocationList list) {
    LoopConfinement.check(env.scheduler(), "Directory.updateRevocations");
    try {
      if (!verifier.update(list)) {
        return false;
      }
    } catch (VerificationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    revocations = list;
    for (Iterator<Cached> it = cache.values().iterator(); it.hasNext(); ) {
      if (list.isRevoked(it.next().record().certificate().serial())) {
        it.remove();
        cacheEvictions++;
      }
    }
    return true;
  }

  @Override
  public DirectoryStatus status() {
    return new DirectoryStatus(
        lookups,
        cacheHits,
        ringReads,
        notFound,
        unavailable,
        forgedEntries,
        revokedRefused,
        rollbacksRejected,
        cacheEvictions,
        sendersVerified,
        sendersForged,
        sendersRevoked,
        revocations == null ? -1 : revocations.version(),
        cache.size());
  }

  // ---------------------------------------------------------------------------------------------

  private SenderVerdict forged(String address, String reason) {
    sendersForged++;
    return new SenderVerdict(SenderVerdict.Outcome.FORGED, address, null, reason);
  }

  /** One quorum read per address at a time; later callers share it. */
  private CompletionStage<UserRecord> fetch(MailAddress a) {
    CompletableFuture<UserRecord> running = inFlight.get(a);
    if (running != null) {
      return running.minimalCompletionStage();
    }
    if (inFlight.size() >= config.maxInFlight()) {
      unavailable++;
      return CompletableFuture.failedFuture(
          new DirectoryException.Unavailable(
              a.value(), "too many directory reads in flight (" + inFlight.size() + "); retry"));
    }
    CompletableFuture<UserRecord> f = new CompletableFuture<>();
    inFlight.put(a, f);
    read(a, 1, f);
    f.whenComplete((r, t) -> inFlight.remove(a));
    return f.minimalCompletionStage();
  }

  private void read(MailAddress a, int attempt, CompletableFuture<UserRecord> out) {
    ringReads++;
    past.lookup(DirectoryEntry.id(authority, a))
        .whenComplete(
            (o, t) -> {
              if (t == null) {
                try {
                  out.complete(verify(a, o));
                } catch (DirectoryException e) {
                  out.completeExceptionally(e);
                }
                return;
              }
              Throwable c = cause(t);
              if (c instanceof PastException.ObjectNotFoundException) {
                if (marks.get(a) != null) {
                  unavailable++;
                  out.completeExceptionally(
                      new DirectoryException.Unavailable(
                          a.value(),
                          "the ring says "
                              + a
                              + " has no entry, but this node has seen one: its holders are away"
                              + " (ADR 0093); retry later",
                          c));
                } else {
                  notFound++;
                  negative.put(a, env.clock().nowMillis());
                  out.completeExceptionally(
                      new DirectoryException.NoSuchUser(
                          a.value(), a + " is not enrolled in this ring: " + c.getMessage()));
                }
                return;
              }
              if (c instanceof PastException p && p.retryable() && attempt < config.attempts()) {
                env.scheduler()
                    .schedule(config.retryDelayMillis(), () -> read(a, attempt + 1, out));
                return;
              }
              unavailable++;
              out.completeExceptionally(
                  new DirectoryException.Unavailable(
                      a.value(),
                      "could not read the directory entry of "
                          + a
                          + " ("
                          + attempt
                          + " attempts): "
                          + c.getMessage(),
                      c));
            });
  }

  /** Checks what a read quorum returned; accepts it against the mark; caches it. */
  private UserRecord verify(MailAddress a, PastObject o) {
    DirectoryEntry e;
    try {
      e = DirectoryEntry.decode(o, authority, a);
    } catch (CryptoException ex) {
      forgedEntries++;
      cache.remove(a);
      throw new DirectoryException.Forged(
          a.value(), "the directory entry served for " + a + " is forged: " + ex.getMessage());
    }
    return accept(e);
  }

  private UserRecord accept(DirectoryEntry e) {
    MailAddress a = e.address();
    byte[] hash = Sha256.hash(e.object().bytesUnsafe());
    Mark m = marks.get(a);
    if (m != null && e.sequence() < m.sequence()) {
      rollbacksRejected++;
      throw new DirectoryException.RolledBack(
          a.value(),
          "the ring served entry version "
              + e.sequence()
              + " of "
              + a
              + ", older than version "
              + m.sequence()
              + " this node accepted: storers serve an old entry; retry later");
    }
    if (m != null && e.sequence() == m.sequence() && !Arrays.equals(hash, m.hash())) {
      forgedEntries++;
      cache.remove(a);
      throw new DirectoryException.Forged(
          a.value(),
          "the authority signed two different entries of " + a + " with version " + e.sequence());
    }
    if (m == null || e.sequence() > m.sequence()) {
      state.putMark(a.value(), e.sequence(), hash);
    }
    marks.put(a, new Mark(e.sequence(), hash));
    UserCertificate cert = e.certificate();
    if (e.status() == DirectoryEntry.Status.REVOKED) {
      throw revoked(a, cert, "was revoked at " + e.revokedAt() + " (" + e.reason() + ")");
    }
    UserRecord record = new UserRecord(a, cert, e.sequence());
    try {
      verifier.verify(cert, env.clock().wallInstant());
    } catch (VerificationException ex) {
      // signature and address were checked by decode: this is time or the revocation list
      cache.remove(a);
      checkCurrent(record);
      throw new DirectoryException.Expired(a.value(), ex.getMessage());
    }
    cache.put(a, new Cached(record, env.clock().nowMillis()));
    negative.remove(a);
    return record;
  }

  /** Evicts {@code a}, counts the refusal and says why its certificate is refused. */
  private DirectoryException.Revoked revoked(MailAddress a, UserCertificate cert, String how) {
    if (cache.remove(a) != null) {
      cacheEvictions++;
    }
    revokedRefused++;
    return new DirectoryException.Revoked(
        a.value(),
        cert.serial(),
        "the certificate of " + a + " (serial " + cert.serial() + ") " + how);
  }

  /** Refuses a record revoked by the newest list or outside its validity now. */
  private void checkCurrent(UserRecord r) {
    UserCertificate cert = r.certificate();
    MailAddress a = r.address();
    RevocationList list = revocations;
    if (list != null && list.isRevoked(cert.serial())) {
      throw revoked(a, cert, "is revoked by revocation list " + list.version());
    }
    Instant now = env.clock().wallInstant();
    if (now.isBefore(cert.notBefore()) || now.isAfter(cert.notAfter())) {
      cache.remove(a);
      throw new DirectoryException.Expired(
          a.value(),
          "the certificate of "
              + a
              + " is valid from "
              + cert.notBefore()
              + " to "
              + cert.notAfter()
              + ", not at "
              + now);
    }
  }

  private <T> CompletionStage<T> retry(Supplier<CompletionStage<T>> call, int attempts) {
    CompletableFuture<T> out = new CompletableFuture<>();
    attempt(call, 1, attempts, out);
    return out;
  }

  private <T> void attempt(
      Supplier<CompletionStage<T>> call, int n, int attempts, CompletableFuture<T> out) {
    call.get()
        .whenComplete(
            (v, t) -> {
              if (t == null) {
                out.complete(v);
                return;
              }
              Throwable c = cause(t);
              if (c instanceof PastException p && p.retryable() && n < attempts) {
                env.scheduler()
                    .schedule(config.retryDelayMillis(), () -> attempt(call, n + 1, attempts, out));
              } else {
                out.completeExceptionally(c);
              }
            });
  }

  static Throwable cause(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
