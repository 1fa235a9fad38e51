package org.epost.overlay.node;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.TopicId;

/**
 * The control port's multicast commands (ADR 0094): publish, and subscriptions streamed to the
 * operator, at most {@link Operations#MAX_SUBSCRIPTIONS} at once, each buffering {@link
 * Operations#SUBSCRIPTION_QUEUE} publications for a slow reader, then dropping and saying how many.
 * Control threads; Scribe calls cross onto the loop through the node's bridge.
 */
final class Multicast {
  private final NodeDaemon node;
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile boolean closed;

  Multicast(NodeDaemon node) {
    this.node = node;
  }

  /** Ends every subscription within its next poll. */
  void close() {
    closed = true;
  }

  String publish(String topic, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    TopicId t = TopicId.named(topic);
    CompletableFuture<Object> done =
        node.call(
            () -> {
              Object r = node.scribe().publish(t, payload);
              if (r instanceof CompletionStage<?> s) {
                return s.thenApply(v -> (Object) v);
              }
              return CompletableFuture.completedFuture(r);
            });
    Object r = PastBridge.await(done);
    return "published " + topic + " " + r;
  }

  void subscribe(String topic, ControlServer.LineSink out) throws Exception {
    if (subscriptions.incrementAndGet() > Operations.MAX_SUBSCRIPTIONS) {
      subscriptions.decrementAndGet();
      out.line(
          "error busy: " + Operations.MAX_SUBSCRIPTIONS + " subscriptions open; try again later");
      return;
    }
    TopicId t = TopicId.named(topic);
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(Operations.SUBSCRIPTION_QUEUE);
    AtomicLong lost = new AtomicLong();
    Subscriptions.Listener listener =
        new Subscriptions.Listener() {
          @Override
          public void attached(TopicId topic) {
            offer("attached");
          }

          @Override
          public void publication(Publication p) {
            offer("pub " + escape(new String(p.payload(), StandardCharsets.UTF_8)));
          }

          private void offer(String line) {
            if (!queue.offer(line)) {
              lost.incrementAndGet();
            }
          }
        };
    try {
      PastBridge.await(
          node.call(
              () -> {
                node.subscriptions().add(t, listener);
                return CompletableFuture.completedFuture(null);
              }));
      out.line("subscribed " + topic);
      while (!closed) {
        String line = queue.poll(5, TimeUnit.SECONDS);
        long l = lost.getAndSet(0);
        if (l > 0) {
          out.line("lost " + l);
        }
        out.line(line == null ? "alive" : line);
      }
    } finally {
      subscriptions.decrementAndGet();
      node.call(
          () -> {
            node.subscriptions().remove(t, listener);
            return CompletableFuture.completedFuture(null);
          });
    }
  }

  /** Backslash, newline and carriage return escaped, so one publication is one line. */
  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }
}
