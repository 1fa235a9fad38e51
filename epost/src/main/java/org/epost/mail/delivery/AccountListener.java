package org.epost.mail.delivery;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;

/**
 * The listener a user is attached with ({@code PostNode.attach}) before its mail account exists:
 * the account is opened on the services that attach returns, and its delivery listener needs the
 * account, so the daemon attaches with this one and {@link #install installs} the delivery listener
 * once the account is open. Notifications that arrive in between (the notification service fetches
 * what waits as soon as the node is ready) are held (a bounded number) and handed over in order at
 * install; each is acknowledged only when the delivery listener's stage completes (the message is
 * in INBOX). One refused (the hold full, or the account closing) is not acknowledged and stays in
 * the ring's pending store for the next fetch.
 *
 * <p>Confined to the node's loop: every method is called there.
 */
public final class AccountListener implements NotificationListener {
  /** Notifications held before the account is open, by default. */
  public static final int MAX_HELD = 4096;

  private record Held(ReceivedNotification notification, CompletableFuture<Void> filed) {}

  private final String address;
  private final int maxHeld;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private NotificationListener target;
  private boolean closed;
  private long refused;

  /** The listener of {@code address}'s account, holding at most {@code maxHeld} until install. */
  public AccountListener(String address, int maxHeld) {
    if (maxHeld <= 0) {
      throw new IllegalArgumentException("maxHeld must be positive");
    }
    this.address = address;
    this.maxHeld = maxHeld;
  }

  /** Hands held notifications to {@code delivery}, then every later one. On the loop. */
  public void install(NotificationListener delivery) {
    target = delivery;
    while (!held.isEmpty()) {
      Held h = held.pollFirst();
      delivery
          .received(h.notification())
          .whenComplete(
              (v, t) -> {
                if (t == null) {
                  h.filed().complete(null);
                } else {
                  h.filed().completeExceptionally(t);
                }
              });
    }
  }

  /** The account is closing: nothing more is delivered to it. On the loop. */
  public void close() {
    closed = true;
    target = null;
    IllegalStateException why = closing();
    while (!held.isEmpty()) {
      held.pollFirst().filed().completeExceptionally(why);
    }
  }

  /** Notifications refused because the account was closing or the hold was full. */
  public long refused() {
    return refused;
  }

  @Override
  public CompletionStage<Void> received(ReceivedNotification n) {
    if (closed) {
      refused++;
      return CompletableFuture.failedFuture(closing());
    }
    if (target != null) {
      return target.received(n);
    }
    if (held.size() >= maxHeld) {
      refused++;
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              address + ": " + maxHeld + " notifications held before the account opened"));
    }
    CompletableFuture<Void> filed = new CompletableFuture<>();
    held.addLast(new Held(n, filed));
    return filed;
  }

  private IllegalStateException closing() {
    return new IllegalStateException(
        address + "'s account is closing; the notification stays in the ring's pending store");
  }

  @Override
  public void stateChanged(NotificationStatus status) {
    NotificationListener t = target;
    if (t != null) {
      t.stateChanged(status);
    }
  }
}
