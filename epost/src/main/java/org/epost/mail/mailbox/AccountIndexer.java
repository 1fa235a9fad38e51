package org.epost.mail.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.epost.mail.api.StoredMail;
import org.epost.mail.message.MessageCache;
import org.epost.mail.search.TextIndex;

/**
 * Feeds the account's full-text index and message cache in the background, on one thread of its own
 * (never the node's loop, never an IMAP worker): a message filed by this account is read once (from
 * the ring, verified there), kept in the cache and indexed; when the account opens, every filed
 * message the index lacks is indexed again (a lost or damaged index is rebuilt this way, read from
 * the ring without filling the cache with old mail).
 *
 * <p>Bounded: at most {@link #QUEUE} waiting messages; beyond, the message is dropped from the
 * queue and a rescan of the account follows once the queue is empty. A message that cannot be read
 * now (the ring unreachable) is indexed at the next open; until then the server checks it by
 * reading. Commits (fsync) at most every {@link #COMMIT_MILLIS} while busy, and {@link
 * #IDLE_COMMIT_MILLIS} after the queue last ran empty: a steady trickle of mail (one message at a
 * time, the queue empty after each) costs one commit a second, not one per message. Searches see
 * uncommitted messages (the searcher is the writer's); what a crash loses before its commit is
 * re-fed at the next open.
 */
final class AccountIndexer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(AccountIndexer.class.getName());

  static final int QUEUE = 10_000;
  static final long COMMIT_MILLIS = 5_000;
  static final long IDLE_COMMIT_MILLIS = 1_000;

  private final PostAccount account;
  private final TextIndex text;
  private final MessageCache cache;
  private final ThreadPoolExecutor thread;
  private final AtomicBoolean rescan = new AtomicBoolean();
  private long lastCommit = System.currentTimeMillis(); // index thread only
  private boolean commitScheduled; // index thread only

  AccountIndexer(PostAccount account, TextIndex text, MessageCache cache, String user) {
    this.account = account;
    this.text = text;
    this.cache = cache;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "index-" + user);
              t.setDaemon(true);
              t.setPriority(Thread.NORM_PRIORITY - 1);
              return t;
            });
    thread.allowCoreThreadTimeOut(true);
  }

  /** Caches and indexes a message just filed (call from any thread; returns at once). */
  void filed(StoredMail mail) {
    submit(() -> index(mail, true));
  }

  /** Indexes every filed message the index lacks. */
  void rescan() {
    submit(this::rescanNow);
  }

  private void submit(Runnable job) {
    try {
      thread.execute(
          () -> {
            job.run();
            afterJob();
          });
    } catch (RejectedExecutionException e) {
      rescan.set(true); // full (or closing): caught up by a rescan when the queue drains
    }
  }

  private void afterJob() {
    boolean idle = thread.getQueue().isEmpty();
    if (idle && rescan.getAndSet(false)) {
      rescanNow();
    }
    long now = System.currentTimeMillis();
    if (now - lastCommit > COMMIT_MILLIS) {
      commit(now);
    } else if (idle && !commitScheduled) {
      commitScheduled = true;
      Executor later = CompletableFuture.delayedExecutor(IDLE_COMMIT_MILLIS, TimeUnit.MILLISECONDS);
      later.execute(
          () -> {
            try {
              thread.execute(
                  () -> {
                    commitScheduled = false;
                    commit(System.currentTimeMillis());
                  });
            } catch (RejectedExecutionException e) {
              // closing (the index commits as it closes) or full (a later job commits)
            }
          });
    }
  }

  private void commit(long now) {
    try {
      text.commit();
    } catch (IOException | RuntimeException e) {
      // committed at the next chance or at close; lost commits are re-fed at the next open
    }
    lastCommit = now;
  }

  private void rescanNow() {
    List<StoredMail> all = account.storedMail();
    for (StoredMail m : all) {
      if (thread.isShutdown()) {
        return;
      }
      if (!text.contains(TextIndex.idOf(m.ref()))) {
        index(m, false);
      }
    }
  }

  private void index(StoredMail mail, boolean keep) {
    try {
      if (keep && !cache.contains(mail.ref())) {
        try (InputStream in = account.readStored(mail)) {
          cache.put(mail.ref(), in, mail.size());
        }
      }
      long id = TextIndex.idOf(mail.ref());
      if (text.contains(id)) {
        return;
      }
      InputStream cached = cache.open(mail.ref(), mail.size(), 0, mail.size());
      try (InputStream in = cached != null ? cached : account.readStored(mail)) {
        text.add(id, account.structureOf(mail), in);
      }
    } catch (IOException | RuntimeException e) {
      // the ring is unreachable or the message unreadable now: indexed at the next open; the
      // server reads it meanwhile (UNKNOWN verdict)
      LOG.log(
          System.Logger.Level.DEBUG, "not indexed now (again at the next open): " + e.getMessage());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
