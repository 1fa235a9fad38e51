package org.epost.simulator.churn;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.epost.overlay.api.Address;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.overlay.sim.Simulation;

/**
 * The churn model the storage and mail experiments share (ADR 0074's desktop churn): each member
 * stays online for an exponential session, goes offline for an exponential period and comes back
 * with its disk; departures leave for good at a rate per day and are replaced by new members; at
 * one moment a fraction of the live members fails at once (each of them comes back after its own
 * offline period). Every draw comes from the experiment's one generator, in a fixed order, so a run
 * replays from its seed.
 *
 * <p>What going offline, coming back and being replaced mean for a member is the experiment's
 * ({@link Ring}); this class only decides when. Single-threaded, on the simulation's thread.
 *
 * @param <M> the experiment's member (one simulated node and what runs on it)
 */
public final class Churn<M> {
  private static final long DAY = 86_400_000L;
  private static final long RETRY_JOIN_MILLIS = 60_000;

  /** The experiment's side of the churn. */
  public interface Ring<M> {
    /** The current members (departed ones removed), in a stable order. */
    List<M> members();

    /** Whether the member's node runs now. */
    boolean isOnline(M member);

    /** Whether the member left for good. */
    boolean hasDeparted(M member);

    /**
     * Stops what runs on the member's node and fails the node (it keeps its disk): at the end of
     * its session ({@code crash} false: the user's software may shut down cleanly first) or in the
     * correlated failure ({@code crash} true: nothing runs before the node is gone).
     */
    void takeOffline(M member, boolean crash);

    /**
     * Starts the member's node again, joining through {@code bootstraps}, with what it kept on
     * disk.
     */
    void bringBack(M member, List<Address> bootstraps);

    /**
     * The member leaves for good (taken offline first if it is online): marks it departed, removes
     * it from {@link #members()} and returns the new member that replaces it, already started.
     */
    M replace(M member);
  }

  /**
   * When members come and go.
   *
   * @param sessionMean mean online session (exponential)
   * @param offlineMean mean offline period (exponential)
   * @param departuresPerDay fraction of {@code nodes} leaving for good per simulated day
   * @param nodes the ring size the departure rate refers to
   * @param correlatedFraction fraction of live members failing at once at {@code correlatedAt}
   *     after the churn starts (0 = none)
   * @param correlatedAt when, after the churn starts
   */
  public record Model(
      Duration sessionMean,
      Duration offlineMean,
      double departuresPerDay,
      int nodes,
      double correlatedFraction,
      Duration correlatedAt) {}

  private final Simulation sim;
  private final SplittableRandom random;
  private final Model model;
  private final Ring<M> ring;
  private final Consumer<String> progress;
  private long endMillis;
  private boolean stopped;
  private long departures;
  private long sessionEnds;
  private long correlatedFailures;

  public Churn(
      Simulation sim,
      SplittableRandom random,
      Model model,
      Ring<M> ring,
      Consumer<String> progress) {
    this.sim = sim;
    this.random = random;
    this.model = model;
    this.ring = ring;
    this.progress = progress;
  }

  /**
   * Starts the churn now, until {@code endMillis} (simulated): a session end for every member, the
   * departures and the correlated failure. After the end nobody goes or comes back any more.
   */
  public void start(long endMillis) {
    this.endMillis = endMillis;
    for (M m : new ArrayList<>(ring.members())) {
      scheduleSessionEnd(m);
    }
    scheduleDeparture();
    if (model.correlatedFraction() > 0) {
      sim.schedule(model.correlatedAt().toMillis(), this::correlatedFailure);
    }
  }

  /** An exponential draw of mean {@code meanMillis}, at least 1 ms, from the run's generator. */
  public long exp(double meanMillis) {
    return Math.max(1, (long) (-Math.log(1 - random.nextDouble()) * meanMillis));
  }

  /** Schedules the end of {@code member}'s current session (a member that just started). */
  public void scheduleSessionEnd(M member) {
    sim.schedule(exp(model.sessionMean().toMillis()), () -> goOffline(member, false));
  }

  private void goOffline(M m, boolean crash) {
    if (ring.hasDeparted(m) || !ring.isOnline(m)) {
      return;
    }
    if (stopped) {
      return;
    }
    sessionEnds++;
    ring.takeOffline(m, crash);
    sim.schedule(exp(model.offlineMean().toMillis()), () -> comeBack(m));
  }

  private void comeBack(M m) {
    if (ring.hasDeparted(m) || ring.isOnline(m) || sim.nowMillis() >= endMillis) {
      return;
    }
    List<Address> boot = bootstraps(sim);
    if (boot.isEmpty()) {
      sim.schedule(RETRY_JOIN_MILLIS, () -> comeBack(m));
      return;
    }
    ring.bringBack(m, boot);
    scheduleSessionEnd(m);
  }

  /** Up to three distinct ready nodes to join through (empty if none is ready). */
  public static List<Address> bootstraps(Simulation sim) {
    List<Address> boot = new ArrayList<>();
    for (int i = 0; i < 8 && boot.size() < 3; i++) {
      SimulatedNode r = sim.randomReadyNode();
      if (r != null && !boot.contains(r.address())) {
        boot.add(r.address());
      }
    }
    return boot;
  }

  private void scheduleDeparture() {
    if (model.departuresPerDay() <= 0) {
      return;
    }
    double perMillis = model.departuresPerDay() * model.nodes() / DAY;
    sim.schedule(
        exp(1 / perMillis),
        () -> {
          if (sim.nowMillis() >= endMillis) {
            return;
          }
          List<M> members = ring.members();
          M m = members.get(random.nextInt(members.size()));
          if (!ring.hasDeparted(m)) {
            departures++;
            M fresh = ring.replace(m);
            scheduleSessionEnd(fresh);
          }
          scheduleDeparture();
        });
  }

  private void correlatedFailure() {
    List<M> live = new ArrayList<>();
    for (M m : ring.members()) {
      if (ring.isOnline(m)) {
        live.add(m);
      }
    }
    int count = (int) Math.round(live.size() * model.correlatedFraction());
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(live.size() - i);
      M m = live.get(j);
      live.set(j, live.get(i));
      goOffline(m, true);
    }
    correlatedFailures += count;
    progress.accept(
        "correlated failure: "
            + count
            + " live nodes failed at once at "
            + sim.nowMillis() / 1000
            + " s");
  }

  /**
   * Ends the churn at once: from now on no member goes offline, comes back or is replaced by this
   * schedule (the caller may then bring offline members back itself).
   */
  public void stop() {
    stopped = true;
    endMillis = Math.min(endMillis, sim.nowMillis());
  }

  /** Members that left for good so far. */
  public long departures() {
    return departures;
  }

  /** Members taken offline so far (session ends and the correlated failure). */
  public long offlineEvents() {
    return sessionEnds;
  }

  /** Members failed by the correlated failure. */
  public long correlatedFailures() {
    return correlatedFailures;
  }
}
