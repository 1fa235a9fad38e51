package org.epost.overlay.past;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.Id;

/**
 * Availability repair (ADR 0083, after Carbonite, Chun et al., NSDI 2006): besides replacing
 * holders gone for good ({@link ReplicaMaintenance}), the designated repairer of an object that has
 * had fewer than {@link org.epost.overlay.past.api.PastConfig#minReachable} holders <em>online</em>
 * for longer than {@link org.epost.overlay.past.api.PastConfig#reachableGraceMillis} of this node's
 * own online time offers one copy to the closest online non-holder within the retain width. Holders
 * that come back keep their copies (nothing is deleted), so copies accumulate only until the object
 * stays reachable through the usual absences of its holders.
 *
 * <p>Online holders: this node (it holds the object), plus leaf-set members whose latest digest
 * claims the object at this version, whose claim no audit refuted and who were not caught lying,
 * plus online nodes offered a copy moments ago. A check runs every half grace period; an object
 * found short starts its grace then, so a copy is added between one and one and a half grace
 * periods after it became short, and the grace restarts after each copy (one copy per grace period
 * and object at most, which is what keeps a ring-wide flap from turning into a repair storm).
 *
 * <p>Threading: the node's event loop only, like {@link ReplicaMaintenance} which owns it. The map
 * of short objects holds at most {@link #MAX_SHORT} entries and the record of offers made by this
 * rule at most {@link #MAX_OFFERS}.
 */
final class AvailabilityRepair {
  static final int MAX_SHORT = 8192;
  static final int MAX_OFFERS = 8192;
  private final PastNode node;
  private final ReplicaMaintenance maintenance;

  /** Objects with too few online holders, and since when (this session's clock). */
  private HashMap<Id, Long> shortSince = new HashMap<>();

  /**
   * (object, target) pairs offered by this rule and when the offer lapses; a push to them counts as
   * availability repair.
   */
  private final LinkedHashMap<Id, Map<Id, Long>> offers = new LinkedHashMap<>();

  private Cancellable periodic;
  private boolean stopped;

  AvailabilityRepair(PastNode node, ReplicaMaintenance maintenance) {
    this.node = node;
    this.maintenance = maintenance;
  }

  void start() {
    if (stopped || node.config.minReachable() == 0) {
      return;
    }
    periodic = node.env.scheduler().schedule(period(), this::tick);
  }

  private long period() {
    return Math.max(1_000, node.config.reachableGraceMillis() / 2);
  }

  private void tick() {
    if (stopped) {
      return;
    }
    periodic = node.env.scheduler().schedule(period(), this::tick);
    if (node.router.isReady() && maintenance.warmedUp()) {
      check();
    }
  }

  /**
   * One pass over this node's objects: note the short ones, offer a copy for those short longer
   * than the grace.
   */
  void check() {
    long now = node.env.clock().nowMillis();
    int min = node.config.minReachable();
    long grace = node.config.reachableGraceMillis();
    int retain = node.config.retainWidth();
    Set<Id> live = maintenance.onlineNeighbours();
    expireOffers(now);
    long wall = node.wallNow();
    RingView view = maintenance.view();
    HashMap<Id, Long> stillShort = new HashMap<>();
    Map<Id, List<Id>> idsFor = new HashMap<>();
    Map<Id, List<Long>> versionsFor = new HashMap<>();
    for (Map.Entry<Id, PastNode.IndexEntry> e : node.index.entrySet()) {
      Id id = e.getKey();
      PastNode.IndexEntry entry = e.getValue();
      if (!node.leaseOutlastsSkew(entry.expiry(), wall) || !maintenance.settled(entry, now)) {
        continue;
      }
      Id[] near = view.closest(id, retain);
      if (maintenance.onlineHolders(near, id, entry.version(), live) >= min) {
        continue;
      }
      Long since = shortSince.get(id);
      if (since == null
          || now - since < grace
          || !maintenance.designatedRepairer(near, id, entry.version(), live)) {
        if (stillShort.size() < MAX_SHORT) {
          stillShort.put(id, since == null ? now : since);
        }
        continue;
      }
      Id target = maintenance.closestOnlineNonHolder(near, id, entry.version(), live);
      if (stillShort.size() < MAX_SHORT) {
        stillShort.put(id, target == null ? since : now); // the grace restarts after each copy
      }
      if (target == null || !remember(id, target, now + maintenance.offerLifetime())) {
        continue;
      }
      maintenance.offered(id, target, now + maintenance.offerLifetime());
      idsFor.computeIfAbsent(target, k -> new ArrayList<>()).add(id);
      versionsFor.computeIfAbsent(target, k -> new ArrayList<>()).add(entry.version());
    }
    shortSince = stillShort;
    for (Map.Entry<Id, List<Id>> e : idsFor.entrySet()) {
      maintenance.sendOffer(e.getKey(), e.getValue(), versionsFor.get(e.getKey()));
    }
  }

  private boolean remember(Id id, Id target, long until) {
    if (offers.size() >= MAX_OFFERS && !offers.containsKey(id)) {
      return false;
    }
    offers.computeIfAbsent(id, k -> new HashMap<>(2)).put(target, until);
    return true;
  }

  /**
   * Whether a push of {@code id} to {@code to} answers an offer made by this rule (and forget that
   * offer).
   */
  boolean tookOffer(Id id, Id to) {
    Map<Id, Long> m = offers.get(id);
    if (m == null || m.remove(to) == null) {
      return false;
    }
    if (m.isEmpty()) {
      offers.remove(id);
    }
    return true;
  }

  private void expireOffers(long now) {
    offers
        .values()
        .removeIf(
            m -> {
              m.values().removeIf(t -> t <= now);
              return m.isEmpty();
            });
  }

  void stop() {
    stopped = true;
    if (periodic != null) {
      periodic.cancel();
    }
  }
}
