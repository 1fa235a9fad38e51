package org.epost.simulator.multicast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.epost.overlay.scribe.ScribeFactory;
import org.epost.overlay.scribe.api.Scribe;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.ScribeStatistics;
import org.epost.overlay.scribe.api.TopicId;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;
import org.epost.overlay.sim.TrafficCounters;

/**
 * The multicast experiment (ADR 0076): a ring of real Pastry nodes, each running Scribe, in the
 * overlay's discrete-event simulation. Phases: build the ring (one join per join interval), settle,
 * subscribe {@code subscribers} random nodes to each topic and let the trees form (60 s), then
 * measure for {@code duration}: publications from random ready nodes to random topics (Poisson),
 * while churn (if any) fails random nodes abruptly and replaces each with a fresh node, and each
 * failed subscriber with a new random subscriber. Every publication is followed until its deadline.
 *
 * <p>Threading: one thread; {@link #run} may be called once.
 */
public final class MulticastExperiment {
  private static final long SECOND = 1_000_000L;
  private static final long TREE_FORMATION = 60 * SECOND;

  private final MulticastConfig config;
  private final ScribeConfig scribeConfig;
  private final Consumer<String> progress;
  private final Simulation sim;
  private final DeliveryTracker tracker;
  private final Map<SimulatedNode, Scribe> scribes = new HashMap<>();
  private final List<TopicId> topicIds = new ArrayList<>();
  private final List<List<Subscriber>> subscribers = new ArrayList<>();
  private final SplittableRandom churnRandom;
  private final SplittableRandom workloadRandom;
  private long measureStart;
  private long failures;

  public MulticastExperiment(
      MulticastConfig config, ScribeConfig scribeConfig, Consumer<String> progress) {
    this.config = config;
    this.scribeConfig = scribeConfig;
    this.progress = progress;
    this.sim = Simulation.builder().seed(config.seed()).build();
    this.tracker = new DeliveryTracker(sim);
    SplittableRandom root = new SplittableRandom(config.seed() ^ 0x5C41BEL);
    this.churnRandom = root.split();
    this.workloadRandom = root.split();
  }

  public MulticastSummary run() {
    long wallStart = System.nanoTime();
    // Phase 1: ring build.
    attach(sim.createRing());
    long gap = config.joinInterval().toNanos() / 1000;
    for (int i = 1; i < config.nodes(); i++) {
      sim.runUntilMicros(sim.nowMicros() + gap);
      attach(sim.addNode());
    }
    progress.accept(
        "ring of " + config.nodes() + " nodes built at " + sim.nowMillis() / 1000 + " s simulated");
    sim.runUntilMicros(sim.nowMicros() + config.settle().toNanos() / 1000);
    // Phase 2: subscriptions.
    for (int t = 0; t < config.topics(); t++) {
      topicIds.add(TopicId.named("topic-" + t));
      subscribers.add(new ArrayList<>());
      for (int k = 0; k < config.subscribers(); k++) {
        subscribeSomeone(t);
      }
    }
    sim.runUntilMicros(sim.nowMicros() + TREE_FORMATION);
    long confirmed = subscribers.stream().flatMap(List::stream).filter(s -> s.confirmed).count();
    progress.accept(
        confirmed + " of " + config.topics() * config.subscribers() + " subscriptions confirmed");
    // Phase 3: measurement.
    measureStart = sim.nowMicros();
    long duration = config.duration().toNanos() / 1000;
    long deadline = config.deadline().toNanos() / 1000;
    TrafficCounters before = sim.traffic().snapshot();
    Map<String, Long> statsBefore = scribeTotals();
    if (config.sessionMean().isPresent()) {
      for (SimulatedNode n : new ArrayList<>(sim.liveNodes())) {
        scheduleFailure(n);
      }
    }
    double meanGapMicros = SECOND / config.publishPerSecond();
    long at = exponential(meanGapMicros);
    while (at < duration) {
      sim.scheduleMicros(at, this::publishOne);
      at += Math.max(1, exponential(meanGapMicros));
    }
    long end = measureStart + duration;
    for (int minute = 1; sim.nowMicros() < end + deadline; minute++) {
      sim.runUntilMicros(Math.min(end + deadline, measureStart + minute * 60 * SECOND));
      progress.accept(
          String.format(
              java.util.Locale.ROOT,
              "minute %d of %d: %d publications, delivery %.5f, live %d",
              minute,
              (duration + deadline + 60 * SECOND - 1) / (60 * SECOND),
              tracker.total.publications,
              tracker.total.ratio(),
              sim.liveNodes().size()));
    }
    // Scribe's own frames plus the overlay's per-hop ACKs and RECEIPTs of its routed ones, as
    // this figure counted before applicationMessages stopped including those acknowledgements.
    int scribeApp = scribeConfig.applicationId();
    long scribeMessages =
        sim.traffic().applicationMessages(scribeApp)
            + sim.traffic().applicationAcks(scribeApp)
            - before.applicationMessages(scribeApp)
            - before.applicationAcks(scribeApp);
    long allMessages = sim.traffic().totalMessages() - before.totalMessages();
    Map<String, Long> statsAfter = scribeTotals();
    Map<String, Long> statsDelta = new LinkedHashMap<>();
    statsAfter.forEach((k, v) -> statsDelta.put(k, v - statsBefore.getOrDefault(k, 0L)));
    double wall = (System.nanoTime() - wallStart) / 1e9;
    statsDelta.put("parent_optimization", scribeConfig.optimizeParents() ? 1L : 0L);
    statsDelta.put(
        "subscriptions_unconfirmed_at_end",
        subscribers.stream().flatMap(List::stream).filter(s -> !s.confirmed).count());
    return new MulticastSummary(
        config,
        tracker,
        failures,
        scribeMessages,
        allMessages,
        statsDelta,
        sim.liveNodes().size(),
        sim.nowMicros() / 1e6,
        sim.eventsRun(),
        wall);
  }

  private void attach(SimulatedNode n) {
    tracker.nodeAdded(n);
    scribes.put(n, ScribeFactory.create(n.overlay(), scribeConfig, tracker.observer(n)));
  }

  private void subscribeSomeone(int topic) {
    List<Subscriber> subs = subscribers.get(topic);
    for (int tries = 0; tries < 100; tries++) {
      SimulatedNode n = sim.liveNodes().get(workloadRandom.nextInt(sim.liveNodes().size()));
      if (!n.isReady() || subs.stream().anyMatch(s -> s.node == n)) {
        continue;
      }
      Subscriber s = new Subscriber(n, topic, tracker);
      subs.add(s);
      scribes.get(n).subscribe(topicIds.get(topic), s);
      return;
    }
  }

  private void publishOne() {
    SimulatedNode from = null;
    for (int tries = 0; tries < 64 && from == null; tries++) {
      SimulatedNode n = sim.liveNodes().get(workloadRandom.nextInt(sim.liveNodes().size()));
      from = n.isReady() ? n : null;
    }
    if (from == null) {
      return;
    }
    int topic = workloadRandom.nextInt(config.topics());
    byte[] payload = new byte[64];
    int minute = (int) ((sim.nowMicros() - measureStart) / (60 * SECOND));
    tracker.publishing();
    SimulatedNode publisher = from;
    // A ready node's publish completes at once, so this runs before publishOne returns.
    scribes
        .get(from)
        .publish(topicIds.get(topic), payload)
        .thenAccept(
            id -> {
              PublicationRecord r =
                  new PublicationRecord(id, topic, sim.nowMicros(), publisher, minute);
              tracker.published(r, subscribers.get(topic));
              sim.scheduleMicros(config.deadline().toNanos() / 1000, () -> tracker.close(id));
            });
  }

  private void scheduleFailure(SimulatedNode n) {
    long mean = config.sessionMean().orElseThrow().toNanos() / 1000;
    sim.scheduleMicros(Math.max(1, exponential(churnRandom, mean)), () -> fail(n));
  }

  private void fail(SimulatedNode n) {
    if (!n.isAlive()) {
      return;
    }
    failures++;
    sim.fail(n);
    SimulatedNode fresh = sim.addNode();
    attach(fresh);
    scheduleFailure(fresh);
    for (int t = 0; t < subscribers.size(); t++) {
      List<Subscriber> subs = subscribers.get(t);
      if (subs.removeIf(s -> s.node == n)) {
        subscribeSomeone(t);
      }
    }
  }

  private Map<String, Long> scribeTotals() {
    Map<String, Long> m = new LinkedHashMap<>();
    long rejoins = 0;
    long resends = 0;
    long refused = 0;
    long malformed = 0;
    long duplicates = 0;
    long reparents = 0;
    for (Scribe s : scribes.values()) {
      ScribeStatistics st = s.statistics();
      rejoins += st.rejoins();
      resends += st.resends();
      refused += st.joinsRefused();
      malformed += st.malformedMessages();
      duplicates += st.duplicatesDropped();
      reparents += st.reparents();
    }
    m.put("rejoins", rejoins);
    m.put("resends", resends);
    m.put("joins_refused", refused);
    m.put("malformed_messages", malformed);
    m.put("duplicates_dropped_in_tree", duplicates);
    m.put("reparents", reparents);
    return m;
  }

  private long exponential(double mean) {
    return exponential(workloadRandom, mean);
  }

  private static long exponential(SplittableRandom rnd, double mean) {
    return Math.round(-mean * Math.log(1.0 - rnd.nextDouble()));
  }
}
