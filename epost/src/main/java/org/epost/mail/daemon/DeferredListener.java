package org.epost.mail.daemon;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;

/**
 * The listener a user is attached with ({@code PostNode.attach}) before its mail account exists:
 * the account is opened on the services that attach returns, and its delivery listener needs the
 * account, so the daemon attaches with this one and {@link #install installs} the delivery listener
 * once the account is open. Notifications that arrive in between (the notification service fetches
 * what waits as soon as the node is ready) are held, at most {@link #MAX_HELD}, and handed over in
 * order at install.
 *
 * <p>Confined to the node's loop: every method is called there.
 *
 * <p>With today's {@code NotificationListener.received} (void) a notification is acknowledged when
 * {@code received} returns; once it returns a stage (post-core's pending change) this class returns
 * the delivery listener's stage, and a held or refused one is not acknowledged: the marked lines
 * are the switch.
 */
final class DeferredListener implements NotificationListener {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.daemon");

  /** Notifications held before the account is open. */
  static final int MAX_HELD = 4096;

  private final String address;
  private final ArrayDeque<ReceivedNotification> held = new ArrayDeque<>();
  private NotificationListener target;
  private boolean closed;
  private long refused;

  DeferredListener(String address) {
    this.address = address;
  }

  /** Hands held notifications to {@code delivery}, then every later one. On the loop. */
  void install(NotificationListener delivery) {
    target = delivery;
    while (!held.isEmpty()) {
      delivery.received(held.pollFirst());
    }
  }

  /** The account is closing: nothing more is delivered to it. On the loop. */
  void close() {
    closed = true;
    target = null;
  }

  /** Notifications refused because the account was closing or the hold was full. */
  long refused() {
    return refused;
  }

  @Override
  public void received(ReceivedNotification n) {
    if (closed) {
      refused++;
      LOG.log(
          Level.WARNING,
          "{0}: a notification arrived while the account closes; it stays in the ring''s"
              + " pending store only once post-core acknowledges after delivery",
          address);
      return; // stage API: return a failed stage (not acknowledged, fetched again at next start)
    }
    if (target != null) {
      target.received(n); // stage API: return target.received(n)
      return;
    }
    if (held.size() >= MAX_HELD) {
      refused++;
      LOG.log(
          Level.WARNING,
          "{0}: {1} notifications held before the account opened; refusing one",
          address,
          MAX_HELD);
      return; // stage API: a failed stage
    }
    held.addLast(n); // stage API: a stage completed when install delivers it
  }

  @Override
  public void stateChanged(NotificationStatus status) {
    NotificationListener t = target;
    if (t != null) {
      t.stateChanged(status);
    }
  }
}
