package org.epost.post.directory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.CryptoException;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.LoopConfinement;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.Past;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeClient;
import org.epost.overlay.scribe.api.TopicId;

/**
 * Carries the ring's newest revocation list to every node (ADR 0109). The list lives in PAST as the
 * authority's mutable object {@link SignedRevocations#id} (its signed sequence is the list's
 * version, so storers keep the highest valid one); a new list is pushed on the ring's revocation
 * topic ({@link SignedRevocations#topic}), to which every node subscribes; and every node reads the
 * object when it starts and then every {@code pullIntervalMillis} plus a random jitter, so that a
 * node that was away, or missed the push, learns the list. At start the directory's sender checks
 * wait for the first read (at most {@code startWaitMillis} after the node is ready). A list with a
 * lower version than the one held, or one that does not verify, is refused and counted. A node
 * holding a newer list than the ring serves (or the ring serving none) inserts its own: the ring
 * repairs itself from any node that has the list.
 *
 * <p>Threading: create, start, publish and stop on the node's loop; no threads of its own, time and
 * randomness from the node's environment.
 */
public final class RevocationDistribution implements ScribeClient {
  private static final long READY_CHECK_MILLIS = 100;

  /**
   * Pause between the reads at start, while sender checks wait for the list: short, since a node
   * that has just joined often finds the list's replica set still settling.
   */
  private static final long START_RETRY_MILLIS = 250;

  private final KeyBasedRouter router;
  private final NodeEnvironment env;
  private final Past past;
  private final Scribe scribe;
  private final UserDirectory directory;
  private final RevocationConfig config;
  private final TopicId topic;

  private boolean started;
  private boolean stopped;
  private boolean firstPullDone;
  private Cancellable readyTimer;
  private Cancellable pullTimer;
  private Cancellable gateTimer;
  private boolean repairing;

  private long installed;
  private long refusedStale;
  private long refusedForged;
  private long pushesReceived;
  private long pulls;
  private long pullFailures;
  private long repairs;
  private long startWaitExpired;

  private RevocationDistribution(
      KeyBasedRouter router,
      Past past,
      Scribe scribe,
      UserDirectory directory,
      RevocationConfig config) {
    this.router = router;
    this.env = router.environment();
    this.past = past;
    this.scribe = scribe;
    this.directory = directory;
    this.config = config;
    this.topic = SignedRevocations.topic(directory.authority());
  }

  /** The distribution for {@code directory}'s ring on this node. Call on the loop, then start. */
  public static RevocationDistribution create(
      KeyBasedRouter router,
      Past past,
      Scribe scribe,
      UserDirectory directory,
      RevocationConfig config) {
    LoopConfinement.check(router.environment().scheduler(), "RevocationDistribution.create");
    return new RevocationDistribution(router, past, scribe, directory, config);
  }

  /**
   * Holds the directory's sender checks, and once the node is ready subscribes to the topic, reads
   * the list and schedules the periodic reads. Call once, on the loop.
   */
  public void start() {
    LoopConfinement.check(env.scheduler(), "RevocationDistribution.start");
    if (started || stopped) {
      return;
    }
    started = true;
    directory.holdSenderChecks();
    whenReady();
  }

  private void whenReady() {
    if (stopped) {
      return;
    }
    if (!router.isReady()) {
      readyTimer = env.scheduler().schedule(READY_CHECK_MILLIS, this::whenReady);
      return;
    }
    gateTimer =
        env.scheduler()
            .schedule(
                config.startWaitMillis(),
                () -> {
                  if (!firstPullDone) {
                    startWaitExpired++;
                  }
                  directory.releaseSenderChecks();
                });
    subscribe();
    pull(1);
  }

  private void subscribe() {
    if (stopped) {
      return;
    }
    scribe
        .subscribe(topic, this)
        .whenComplete(
            (v, e) -> {
              if (e != null
                  && !stopped
                  && !(e instanceof java.util.concurrent.CancellationException)) {
                env.scheduler().schedule(1_000, this::subscribe);
              }
            });
  }

  /** One read of the list from PAST; {@code attempt} counts the reads at start. */
  private void pull(int attempt) {
    if (stopped) {
      return;
    }
    pulls++;
    past.lookup(SignedRevocations.id(directory.authority()))
        .whenComplete(
            (o, t) -> {
              if (stopped) {
                return;
              }
              if (t == null) {
                SignedRevocations held = directory.signedRevocations();
                offer(o);
                if (held != null && o.sequence() < held.version()) {
                  repair(); // storers hold an older list: give them ours
                }
                firstPullDone();
              } else if (UserDirectory.cause(t) instanceof PastException.ObjectNotFoundException) {
                if (directory.signedRevocations() != null) {
                  repair(); // the ring lost it (or never had it): any node that holds it repairs
                }
                firstPullDone();
              } else {
                pullFailures++;
                if (!firstPullDone && attempt < config.startAttempts()) {
                  env.scheduler()
                      .schedule(
                          Math.min(START_RETRY_MILLIS, config.retryDelayMillis()),
                          () -> pull(attempt + 1));
                  return;
                }
                firstPullDone();
              }
              schedulePull();
            });
  }

  private void firstPullDone() {
    if (!firstPullDone) {
      firstPullDone = true;
      directory.releaseSenderChecks();
      if (gateTimer != null) {
        gateTimer.cancel();
      }
    }
  }

  private void schedulePull() {
    if (stopped) {
      return;
    }
    if (pullTimer != null) {
      pullTimer.cancel();
    }
    long delay = config.pullIntervalMillis() + nextJitter();
    pullTimer = env.scheduler().schedule(delay, () -> pull(config.startAttempts()));
  }

  private long nextJitter() {
    long j = config.pullJitterMillis();
    return j <= Integer.MAX_VALUE
        ? env.random().nextInt((int) j)
        : (long) (env.random().nextDouble() * j);
  }

  private void repair() {
    SignedRevocations held = directory.signedRevocations();
    if (held == null || repairing || stopped) {
      return;
    }
    repairing = true;
    repairs++;
    insert(held.object(), 1, new CompletableFuture<>()).whenComplete((n, t) -> repairing = false);
  }

  /** A push on the topic. */
  @Override
  public void deliver(Publication publication) {
    if (stopped) {
      return;
    }
    pushesReceived++;
    try {
      offer(SignedRevocations.decode(publication.payload(), directory.authority()));
    } catch (CryptoException e) {
      refusedForged++;
    }
  }

  /** The subscription is attached: read once more, in case a push went by meanwhile. */
  @Override
  public void subscribed(TopicId t) {
    if (!stopped && firstPullDone) {
      pull(config.startAttempts());
    }
  }

  private void offer(PastObject o) {
    try {
      offer(SignedRevocations.of(o, directory.authority()));
    } catch (CryptoException e) {
      refusedForged++;
    }
  }

  private UserDirectory.Offer offer(SignedRevocations s) {
    UserDirectory.Offer r = directory.offerRevocations(s);
    switch (r) {
      case INSTALLED -> installed++;
      case STALE -> refusedStale++;
      case CONFLICT -> refusedForged++;
      case CURRENT -> {}
    }
    return r;
  }

  /**
   * Publishes a list the authority signed ({@link SignedRevocations#sign}, e.g. from {@code epost
   * ring revoke}): installs it here, pushes it on the topic and inserts it on a majority of its
   * replica set. Completes with the number of replicas that stored it. Fails with {@link
   * IllegalArgumentException} if it is not this ring's list or is older than the one this node
   * holds; with PAST's exception (retryable) if no majority stored it after the attempts.
   */
  public CompletionStage<Integer> publish(byte[] signedObject) {
    LoopConfinement.check(env.scheduler(), "RevocationDistribution.publish");
    SignedRevocations s;
    try {
      s = SignedRevocations.decode(signedObject, directory.authority());
    } catch (CryptoException e) {
      refusedForged++;
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("not a revocation list of this ring: " + e.getMessage(), e));
    }
    UserDirectory.Offer r = offer(s);
    if (r == UserDirectory.Offer.STALE || r == UserDirectory.Offer.CONFLICT) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException(
              "this node holds revocation list version "
                  + directory.signedRevocations().version()
                  + (r == UserDirectory.Offer.STALE ? ", newer than " : ", other than this ")
                  + s.version()));
    }
    if (!stopped) {
      try {
        scribe.publish(topic, s.object().bytesUnsafe()); // best effort: the pulls are the net
      } catch (IllegalArgumentException e) {
        // this ring's Scribe takes smaller payloads: the nodes learn it from their next read
      }
    }
    return insert(s.object(), 1, new CompletableFuture<>());
  }

  private CompletionStage<Integer> insert(PastObject o, int n, CompletableFuture<Integer> out) {
    past.insert(o)
        .whenComplete(
            (v, t) -> {
              if (t == null) {
                out.complete(v);
                return;
              }
              Throwable c = UserDirectory.cause(t);
              if (c instanceof PastException p
                  && p.retryable()
                  && n < config.insertAttempts()
                  && !stopped) {
                env.scheduler().schedule(config.retryDelayMillis(), () -> insert(o, n + 1, out));
              } else {
                out.completeExceptionally(c);
              }
            });
    return out;
  }

  /** Counters. */
  public RevocationStatus status() {
    SignedRevocations held = directory.signedRevocations();
    return new RevocationStatus(
        held == null ? -1 : held.version(),
        installed,
        refusedStale,
        refusedForged,
        pushesReceived,
        pulls,
        pullFailures,
        repairs,
        startWaitExpired);
  }

  /** Stops the timers and the subscription; held sender checks run. Call on the loop. */
  public void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    for (Cancellable c : new Cancellable[] {readyTimer, pullTimer, gateTimer}) {
      if (c != null) {
        c.cancel();
      }
    }
    scribe.unsubscribe(topic);
    directory.releaseSenderChecks();
  }
}
