package org.epost.overlay.scribe;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.ScribeMessage.Anycast;
import org.epost.overlay.scribe.ScribeMessage.AnycastResult;
import org.epost.overlay.scribe.api.AnycastResult.Outcome;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.scribe.api.TopicView.Role;

/**
 * Anycast: the message is routed towards the topic's key until it meets a node of the tree, then
 * walks the tree depth first. The walk's state travels in the message: the ids visited and a stack
 * of nodes still to visit. Each node asks its local subscriber, then pushes its parent (visited
 * last) and its children farthest first, so the nearest child (by the round-trip time it reported)
 * is popped next. Both lists are bounded; a search that outgrows them ends as no taker.
 *
 * <p>Threading: the node's event loop.
 */
final class AnycastSearch {
  private record Pending(
      CompletableFuture<org.epost.overlay.scribe.api.AnycastResult> future, Cancellable timer) {}

  private final ScribeNode node;
  private final Map<Long, Pending> pending = new HashMap<>();

  AnycastSearch(ScribeNode node) {
    this.node = node;
  }

  CompletionStage<org.epost.overlay.scribe.api.AnycastResult> start(TopicId topic, byte[] payload) {
    CompletableFuture<org.epost.overlay.scribe.api.AnycastResult> f = new CompletableFuture<>();
    if (pending.size() >= node.config.maxPendingAnycasts()) {
      f.complete(
          new org.epost.overlay.scribe.api.AnycastResult(
              Optional.empty(), Outcome.TOO_MANY_PENDING));
      return f;
    }
    long id = node.env.random().nextLong();
    Cancellable timer =
        node.env
            .scheduler()
            .schedule(
                node.config.anycastTimeoutMillis(),
                () ->
                    finish(
                        id,
                        new org.epost.overlay.scribe.api.AnycastResult(
                            Optional.empty(), Outcome.TIMED_OUT)));
    pending.put(id, new Pending(f, timer));
    Anycast a = new Anycast(topic, id, node.self, new Id[0], new NodeHandle[0], payload);
    node.endpoint.route(topic.id(), ScribeCodec.encode(a), null);
    return f;
  }

  /** The anycast is at this node: offer it to the local subscriber, else move the search on. */
  void step(Anycast a) {
    Topic t = node.topics.get(a.topic());
    if (contains(a.visited(), node.self.id()) && t == null) {
      node.send(a.origin(), new AnycastResult(a.anycastId(), false));
      return;
    }
    Id[] visited = a.visited();
    if (!contains(visited, node.self.id())) {
      if (visited.length >= ScribeCodec.MAX_VISITED) {
        node.send(a.origin(), new AnycastResult(a.anycastId(), false));
        return;
      }
      visited = Arrays.copyOf(visited, visited.length + 1);
      visited[visited.length - 1] = node.self.id();
    }
    if (t != null && t.client != null && t.client.anycast(a.topic(), a.payload(), a.origin())) {
      node.send(a.origin(), new AnycastResult(a.anycastId(), true));
      return;
    }
    List<NodeHandle> stack = new ArrayList<>(Arrays.asList(a.stack()));
    if (t != null) {
      if (t.role == Role.ATTACHED
          && !contains(visited, t.parent.id())
          && !stack.contains(t.parent)) {
        stack.add(t.parent);
      }
      List<Topic.Child> cs = new ArrayList<>(t.children.values());
      cs.sort(Comparator.comparingInt((Topic.Child c) -> c.rttMillis).reversed());
      for (Topic.Child c : cs) {
        if (!contains(visited, c.handle.id()) && !stack.contains(c.handle)) {
          stack.add(c.handle);
        }
      }
    }
    while (stack.size() > ScribeCodec.MAX_STACK) {
      stack.remove(0);
    }
    while (!stack.isEmpty()) {
      NodeHandle next = stack.remove(stack.size() - 1);
      if (!contains(visited, next.id())) {
        node.send(
            next,
            new Anycast(
                a.topic(),
                a.anycastId(),
                a.origin(),
                visited,
                stack.toArray(new NodeHandle[0]),
                a.payload()));
        return;
      }
    }
    node.send(a.origin(), new AnycastResult(a.anycastId(), false));
  }

  void resultReceived(AnycastResult r, NodeHandle from) {
    finish(
        r.anycastId(),
        new org.epost.overlay.scribe.api.AnycastResult(
            r.accepted() ? Optional.of(from) : Optional.empty(),
            r.accepted() ? Outcome.ACCEPTED : Outcome.NO_TAKER));
  }

  private void finish(long id, org.epost.overlay.scribe.api.AnycastResult result) {
    Pending p = pending.remove(id);
    if (p != null) {
      p.timer().cancel();
      p.future().complete(result);
    }
  }

  private static boolean contains(Id[] ids, Id id) {
    for (Id i : ids) {
      if (i.equals(id)) {
        return true;
      }
    }
    return false;
  }
}
