package org.epost.mail.delivery;

import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;

/**
 * The notification listener of one account, given to {@code PostNode.attach} before the account
 * exists (the account is built on the services attach returns) and bound to it afterwards: what
 * arrives goes to the account's {@link InboxDelivery}, the states of what the account sent to its
 * sending side ({@code SenderAccount::stateChanged}).
 *
 * <p>Until {@link #bind} the listener holds what it hears, at most {@code maxWaiting} events; past
 * that it refuses arrivals (they stay on the ring once acknowledgement follows filing) and drops
 * state changes (the ledger then misses an update; it is informational).
 *
 * <p>Acknowledgement: post-core acknowledges a notification when {@code received} returns today;
 * once {@code received} returns a stage (the post-core change under way), the one line marked below
 * returns {@link #receive}'s stage, so that a notification is acknowledged only after its message
 * is filed.
 *
 * <p>Threading: {@code received} and {@code stateChanged} are called on the node's loop and only
 * hand work over; {@link #bind} from any thread.
 */
public final class AccountListener implements NotificationListener {
  private static final System.Logger LOG = System.getLogger(AccountListener.class.getName());

  private final int maxWaiting;
  private final Deque<Object> waiting = new ArrayDeque<>();
  private final Deque<CompletableFuture<Void>> waitingStages = new ArrayDeque<>();
  private InboxDelivery inbox;
  private Consumer<NotificationStatus> sentStates;

  /** A listener holding at most {@code maxWaiting} events until it is bound. */
  public AccountListener(int maxWaiting) {
    if (maxWaiting <= 0) {
      throw new IllegalArgumentException("maxWaiting must be positive");
    }
    this.maxWaiting = maxWaiting;
  }

  /** Binds the account: what was held is handed over now, in order. */
  public void bind(InboxDelivery inbox, Consumer<NotificationStatus> sentStates) {
    Objects.requireNonNull(inbox, "inbox");
    Objects.requireNonNull(sentStates, "sentStates");
    Deque<Object> held;
    Deque<CompletableFuture<Void>> stages;
    synchronized (this) {
      if (this.inbox != null) {
        throw new IllegalStateException("already bound");
      }
      this.inbox = inbox;
      this.sentStates = sentStates;
      held = new ArrayDeque<>(waiting);
      stages = new ArrayDeque<>(waitingStages);
      waiting.clear();
      waitingStages.clear();
    }
    for (Object o : held) {
      if (o instanceof ReceivedNotification n) {
        CompletableFuture<Void> stage = stages.removeFirst();
        inbox.deliver(n).whenComplete((v, t) -> complete(stage, t));
      } else {
        sentStates.accept((NotificationStatus) o);
      }
    }
  }

  @Override
  public void received(ReceivedNotification notification) {
    CompletionStage<Void> filed = receive(notification);
    // post-core's switch to acknowledge-after-durable: `return filed;` (received returns a stage).
    filed.whenComplete(
        (v, t) -> {
          if (t != null) {
            LOG.log(
                Level.WARNING,
                "notification " + notification.id() + " not filed: " + t.getMessage());
          }
        });
  }

  /** Files {@code notification}'s message; completes when it is in INBOX (or dropped for good). */
  public CompletionStage<Void> receive(ReceivedNotification notification) {
    InboxDelivery bound;
    synchronized (this) {
      bound = inbox;
      if (bound == null) {
        if (waiting.size() >= maxWaiting) {
          return CompletableFuture.failedFuture(
              new IllegalStateException("account not open yet and " + maxWaiting + " waiting"));
        }
        CompletableFuture<Void> stage = new CompletableFuture<>();
        waiting.addLast(notification);
        waitingStages.addLast(stage);
        return stage;
      }
    }
    return bound.deliver(notification);
  }

  @Override
  public void stateChanged(NotificationStatus status) {
    Consumer<NotificationStatus> bound;
    synchronized (this) {
      bound = sentStates;
      if (bound == null) {
        if (waiting.size() < maxWaiting) {
          waiting.addLast(status);
        }
        return;
      }
    }
    bound.accept(status);
  }

  private static void complete(CompletableFuture<Void> stage, Throwable t) {
    if (t == null) {
      stage.complete(null);
    } else {
      stage.completeExceptionally(t);
    }
  }
}
