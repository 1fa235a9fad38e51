package org.epost.overlay.sim;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Cancellable;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.api.RandomSource;
import org.epost.overlay.pastry.Pastry;

/**
 * A discrete-event simulation of many overlay nodes in one JVM, in virtual time. One global queue
 * ordered by (time, sequence number) drives every node's event loop and the experiment driver's own
 * events; a {@link VirtualNetwork} carries the real encoded frames. Same seed, same run: see {@link
 * #traceHash()}.
 *
 * <p>Not thread-safe: a simulation runs on the thread that calls {@code run*}.
 */
public final class Simulation {
  private final EventQueue queue = new EventQueue();
  private final PastryConfig config;
  private final LatencyModel latency;
  private final VirtualNetwork network;
  private final TrafficCounters traffic = new TrafficCounters();
  private final SplittableRandom nodeRandom; // ids, positions, per-node seeds
  private final SeededRandom driverRandom; // for the experiment driver
  private final ContextTable contexts = new ContextTable(); // live nodes only
  private final ArrayList<SimulatedNode> live = new ArrayList<>(); // live overlay nodes
  private final TreeMap<Id, SimulatedNode> liveById = new TreeMap<>();
  private final NodeEnvironment.HandleInterner interner = new Interner();
  private final long seed;
  private final long epochMillis;
  private volatile Thread driver = Thread.currentThread(); // runs the events; see inLoop()
  private long nowMicros;
  private int nextIndex;
  private long trace = 0x9E3779B97F4A7C15L;
  private long eventsRun;

  private Simulation(Builder b) {
    this.seed = b.seed;
    this.epochMillis = b.epochMillis;
    this.config = b.config;
    this.latency = b.latency;
    this.nodeRandom = new SplittableRandom(b.seed);
    this.driverRandom =
        new SeededRandom(
            new SplittableRandom(b.seed ^ 0x5DEECE66DL), b.seed ^ 0x5EC0_DE5E_C0DE_5EC0L);
    this.network = new VirtualNetwork(this, b.latency, b.lossRate, b.seed ^ 0xC0FFEEL, traffic);
  }

  /** The default virtual epoch: 2026-01-01T00:00:00Z. */
  public static final long DEFAULT_EPOCH_MILLIS = 1_767_225_600_000L;

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Simulation parameters; defaults: seed 1, sphere latency with 100 ms mean, no loss, default
   * Pastry config.
   */
  public static final class Builder {
    private long seed = 1;
    private PastryConfig config = PastryConfig.defaults();
    private LatencyModel latency = LatencyModel.sphere(100);
    private double lossRate;
    private long epochMillis = DEFAULT_EPOCH_MILLIS;

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder pastryConfig(PastryConfig config) {
      this.config = Objects.requireNonNull(config);
      return this;
    }

    public Builder latency(LatencyModel latency) {
      this.latency = Objects.requireNonNull(latency);
      return this;
    }

    /** Probability in [0, 1) that a frame is lost. */
    public Builder lossRate(double lossRate) {
      if (!(lossRate >= 0 && lossRate < 1)) {
        throw new IllegalArgumentException("loss rate must be in [0, 1): " + lossRate);
      }
      this.lossRate = lossRate;
      return this;
    }

    /**
     * The wall time ({@link org.epost.overlay.api.Clock#wallMillis}) at virtual time zero, in
     * milliseconds since 1970; default {@link #DEFAULT_EPOCH_MILLIS}.
     */
    public Builder epochMillis(long epochMillis) {
      if (epochMillis < 0) {
        throw new IllegalArgumentException("negative epoch " + epochMillis);
      }
      this.epochMillis = epochMillis;
      return this;
    }

    public Simulation build() {
      return new Simulation(this);
    }
  }

  public long seed() {
    return seed;
  }

  /** Virtual time in microseconds since the start. */
  public long nowMicros() {
    return nowMicros;
  }

  /** Virtual time in milliseconds since the start. */
  public long nowMillis() {
    return nowMicros / 1000;
  }

  /** Virtual wall time: the configured epoch plus the virtual time since the start. */
  public long wallMillis() {
    return epochMillis + nowMicros / 1000;
  }

  /**
   * True on the thread that drives this simulation: the one that built it, or the one that last
   * called a {@code run*} method. Every simulated node's loop is that thread.
   */
  public boolean inLoop() {
    return Thread.currentThread() == driver;
  }

  /** A seeded random source for the experiment driver, independent of the nodes' streams. */
  public RandomSource random() {
    return driverRandom;
  }

  public TrafficCounters traffic() {
    return traffic;
  }

  /** Events run so far (frame deliveries and timers, including the driver's). */
  public long eventsRun() {
    return eventsRun;
  }

  /** Events waiting in the queue. */
  public int pendingEvents() {
    return queue.size();
  }

  /**
   * A hash of every event run so far: its time, sequence, node, and for frames their length, type
   * and two sampled bytes (hashing every byte cost a quarter of the run time). Two runs with the
   * same seed and the same driver produce the same hash.
   */
  public long traceHash() {
    return trace;
  }

  /** Creates the first node of a ring, with a random id; it is ready at once. */
  public SimulatedNode createRing() {
    return createRing(Id.random(new SeededRandom(nodeRandom)));
  }

  /**
   * Creates the first node of a ring with the given id (a driver that draws every id from its own
   * stream, like {@link #addNode(Id, List)}); it is ready at once.
   *
   * @throws IllegalArgumentException if a live node already has {@code id}
   */
  public SimulatedNode createRing(Id id) {
    SimulatedNode n = newOverlayNode(id);
    n.overlay.createRing();
    return n;
  }

  /** Adds a node with a random id that joins through up to three random ready live nodes. */
  public SimulatedNode addNode() {
    return addNode(Id.random(new SeededRandom(nodeRandom)), randomBootstraps(3));
  }

  /**
   * Adds a node with the given id that joins through {@code bootstraps} in order (see {@link
   * OverlayNode#join}).
   */
  public SimulatedNode addNode(Id id, List<Address> bootstraps) {
    SimulatedNode n = newOverlayNode(id);
    n.overlay.join(bootstraps);
    return n;
  }

  /**
   * Adds a node that is not a Pastry node: {@code factory} gets the node's environment and returns
   * the receiver of its frames. For tests of misbehaving peers.
   */
  public SimulatedNode addRawNode(Id id, Function<NodeEnvironment, FrameReceiver> factory) {
    NodeContext ctx = newContext();
    NodeHandle handle = new NodeHandle(id, ctx.address);
    ctx.setReceiver(factory.apply(environment(ctx)));
    SimulatedNode n = new SimulatedNode(ctx, handle, null);
    ctx.node = n; // the id the virtual network checks frames against (Transport.send's expectedId)
    contexts.attach(ctx, handle);
    return n;
  }

  /**
   * Fails {@code node} abruptly: its timers never run again, frames to it vanish, nobody is told.
   * The simulation then holds nothing of its state: its pending timers are emptied at once and its
   * context is cut off from the node (frames still in flight to it keep only the context and their
   * bytes, for at most one network delay), so once the caller drops its {@link SimulatedNode} the
   * node's whole state is garbage. The events of live nodes run exactly as before.
   */
  public void fail(SimulatedNode node) {
    if (!node.context.alive) {
      return;
    }
    node.context.alive = false;
    node.context.receiver = null;
    node.context.node = null;
    contexts.remove(node.context.index);
    if (node.overlay != null) {
      node.overlay.stop();
      liveById.remove(node.id());
      int slot = node.liveSlot;
      SimulatedNode last = live.remove(live.size() - 1);
      if (last != node) {
        live.set(slot, last);
        last.liveSlot = slot;
      }
      node.liveSlot = -1;
    }
    node.context.purgeEvents(); // after stop(): whatever stop() scheduled goes too
  }

  /**
   * Cuts {@code node}'s network off ({@code true}) or restores it ({@code false}): while cut off
   * the node keeps running, but every frame it sends or that is sent to it is lost, as when a
   * desktop's cable is pulled. Frames already in flight still arrive.
   */
  public void setCutOff(SimulatedNode node, boolean cutOff) {
    node.context.cutOff = cutOff;
  }

  /**
   * Nodes the simulation keeps any per-node state for (contexts, handles, positions, random
   * streams): the live overlay nodes and raw nodes. A failed node leaves nothing here, so this
   * never grows with departures; tests and heap diagnostics compare it with {@link #liveNodes()}.
   */
  public int trackedNodes() {
    return contexts.size();
  }

  /** Live overlay nodes (ready or joining), in no particular order. An unmodifiable view. */
  public List<SimulatedNode> liveNodes() {
    return Collections.unmodifiableList(live);
  }

  /** A uniformly random live overlay node, or null if none; drawn from {@link #random()}. */
  public SimulatedNode randomLiveNode() {
    return live.isEmpty() ? null : live.get(driverRandom.nextInt(live.size()));
  }

  /** A uniformly random live and ready node, or null if none within a few tries. */
  public SimulatedNode randomReadyNode() {
    for (int i = 0; i < 64 && !live.isEmpty(); i++) {
      SimulatedNode n = live.get(driverRandom.nextInt(live.size()));
      if (n.isReady()) {
        return n;
      }
    }
    return null;
  }

  /**
   * The live node numerically closest to {@code key} (ties as {@link Id#isCloser}); with {@code
   * readyOnly}, among ready nodes. Null if there is none. This is the oracle for "wrong root".
   */
  public SimulatedNode closestLiveNode(Id key, boolean readyOnly) {
    SimulatedNode best = null;
    Map.Entry<Id, SimulatedNode> e = liveById.ceilingEntry(key);
    for (int i = 0; i < liveById.size(); i++) { // clockwise
      if (e == null) {
        e = liveById.firstEntry();
      }
      if (!readyOnly || e.getValue().isReady()) {
        best = e.getValue();
        break;
      }
      e = liveById.higherEntry(e.getKey());
    }
    e = liveById.lowerEntry(key);
    for (int i = 0; i < liveById.size(); i++) { // anticlockwise
      if (e == null) {
        e = liveById.lastEntry();
      }
      if (!readyOnly || e.getValue().isReady()) {
        if (best == null || key.isCloser(e.getKey(), best.id())) {
          best = e.getValue();
        }
        break;
      }
      e = liveById.lowerEntry(e.getKey());
    }
    return best;
  }

  /**
   * The one-way network delay between two nodes, in microseconds (the direct path a lookup is
   * compared with).
   */
  public long delayMicros(SimulatedNode a, SimulatedNode b) {
    return network.delayMicros(a.context, b.context);
  }

  /** Schedules a driver task (churn, lookups, measurements) at now + {@code delayMillis}. */
  public Cancellable schedule(long delayMillis, Runnable task) {
    return queue.add(nowMicros + delayMillis * 1000, null, task);
  }

  /** Schedules a driver task at now + {@code delayMicros} microseconds. */
  public Cancellable scheduleMicros(long delayMicros, Runnable task) {
    return queue.add(nowMicros + delayMicros, null, task);
  }

  /**
   * Runs events until the queue is empty or the next event is after now + {@code millis}; time then
   * equals that instant.
   */
  public void runFor(long millis) {
    runUntilMicros(nowMicros + millis * 1000);
  }

  /**
   * Runs events with time <= {@code endMicros}; afterwards {@link #nowMicros()} is {@code
   * endMicros}.
   */
  public void runUntilMicros(long endMicros) {
    driver = Thread.currentThread();
    while (true) {
      Event e = queue.peek();
      if (e == null || e.timeMicros > endMicros) {
        break;
      }
      queue.poll();
      run(e);
    }
    nowMicros = Math.max(nowMicros, endMicros);
  }

  /** Runs the next event, if any; returns false when the queue is empty. */
  public boolean step() {
    Event e = queue.poll();
    if (e == null) {
      return false;
    }
    run(e);
    return true;
  }

  private void run(Event e) {
    NodeContext owner = e.owner;
    if (e.cancelled || (owner != null && !owner.alive)) {
      return;
    }
    Runnable task = e.task;
    byte[] f = e.frame;
    Address from = e.from;
    if (owner != null && f == null) {
      e.detach(); // no longer pending: the owner's list holds only timers still to run
    }
    nowMicros = e.timeMicros;
    eventsRun++;
    long h = trace;
    h = mix(h ^ e.timeMicros);
    h = mix(h ^ e.sequence);
    h = mix(h ^ (owner == null ? -1 : owner.index));
    if (f != null) {
      h =
          mix(
              h
                  ^ ((long) f.length << 32
                      | (f[1] & 0xFF) << 16
                      | (f[f.length - 1] & 0xFF) << 8
                      | (f[f.length / 2] & 0xFF)));
    }
    trace = h;
    e.task = null; // a fired timer kept as a Cancellable by the protocol holds no closure
    if (f != null) {
      e.frame = null;
      e.from = null;
      FrameReceiver r = owner.receiver;
      if (r != null) {
        r.receive(from, f);
      }
    } else {
      task.run();
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  Event scheduleFor(NodeContext owner, long atMicros, Runnable task) {
    return queue.add(atMicros, owner, task);
  }

  void scheduleFrame(NodeContext dest, long atMicros, Address from, byte[] frame) {
    queue.addFrame(atMicros, dest, from, frame);
  }

  /** Calls {@code visitor} for every queued event, husks included (for tests). */
  void forEachQueued(Consumer<Event> visitor) {
    queue.forEach(visitor);
  }

  VirtualNetwork network() {
    return network;
  }

  NodeContext context(int index) {
    return contexts.get(index);
  }

  private NodeContext newContext() {
    int index = nextIndex++;
    NodeContext ctx =
        new NodeContext(
            this, index, latency.place(new SeededRandom(nodeRandom)), nodeRandom.nextLong());
    contexts.put(ctx);
    return ctx;
  }

  private NodeEnvironment environment(NodeContext ctx) {
    return new NodeEnvironment(ctx, ctx, ctx, ctx, interner);
  }

  private SimulatedNode newOverlayNode(Id id) {
    if (liveById.containsKey(id)) {
      throw new IllegalArgumentException("a live node already has id " + id);
    }
    NodeContext ctx = newContext();
    NodeEnvironment env = environment(ctx);
    OverlayNode overlay = Pastry.newNode(id, env, config);
    SimulatedNode n = new SimulatedNode(ctx, overlay.localHandle(), overlay);
    ctx.node = n;
    contexts.attach(ctx, n.handle);
    n.liveSlot = live.size();
    live.add(n);
    liveById.put(id, n);
    return n;
  }

  private List<Address> randomBootstraps(int count) {
    List<Address> result = new ArrayList<>(count);
    for (int i = 0; i < count * 4 && result.size() < count; i++) {
      SimulatedNode n = randomReadyNode();
      if (n != null && !result.contains(n.address())) {
        result.add(n.address());
      }
    }
    if (result.isEmpty()) {
      throw new IllegalStateException("no ready node to bootstrap from; call createRing() first");
    }
    return result;
  }

  /**
   * Shares one handle instance per live node. Reading a handle of a live node from a frame compares
   * its bytes with the node's handle in place and returns that handle: no copy of id, address and
   * handle is made only to be thrown away (that was a quarter of all allocation).
   */
  private final class Interner implements NodeEnvironment.HandleInterner {
    private static final int VIRTUAL_HANDLE_BYTES = Id.BYTES + 5; // id, host length 0, index

    @Override
    public NodeHandle intern(NodeHandle decoded) {
      return Simulation.this.intern(decoded);
    }

    @Override
    public NodeHandle read(ByteBuffer in) throws MalformedFrameException {
      int p = in.position();
      if (in.limit() - p >= VIRTUAL_HANDLE_BYTES && in.get(p + Id.BYTES) == 0) {
        int index = in.getInt(p + Id.BYTES + 1);
        NodeHandle h = index >= 0 ? contexts.handleIfMatches(index, in, p) : null;
        if (h != null) {
          in.position(p + VIRTUAL_HANDLE_BYTES);
          return h;
        }
      }
      return intern(NodeHandle.read(in));
    }
  }

  private NodeHandle intern(NodeHandle h) {
    if (h.address().isVirtual()) {
      NodeContext ctx = contexts.get(h.address().port());
      if (ctx != null && ctx.node != null && ctx.node.handle.equals(h)) {
        return ctx.node.handle;
      }
    }
    return h;
  }

  /** A {@link RandomSource} over a {@link SplittableRandom}. */
  static final class SeededRandom implements RandomSource {
    private final SplittableRandom random;
    private final long secureSeed; // its own seed, so draws from secure() never shift random
    private final boolean hasSecure;
    private SeededSecureRandom secure;

    SeededRandom(SplittableRandom random, long secureSeed) {
      this.random = random;
      this.secureSeed = secureSeed;
      this.hasSecure = true;
    }

    /** A short-lived view for drawing ids and positions; it has no secure stream. */
    SeededRandom(SplittableRandom random) {
      this.random = random;
      this.secureSeed = 0;
      this.hasSecure = false;
    }

    @Override
    public SecureRandom secure() {
      if (!hasSecure) {
        throw new UnsupportedOperationException("a view over the simulation's id stream");
      }
      if (secure == null) {
        secure = new SeededSecureRandom(secureSeed);
      }
      return secure;
    }

    @Override
    public long nextLong() {
      return random.nextLong();
    }

    @Override
    public int nextInt(int bound) {
      return random.nextInt(bound);
    }

    @Override
    public double nextDouble() {
      return random.nextDouble();
    }
  }
}
