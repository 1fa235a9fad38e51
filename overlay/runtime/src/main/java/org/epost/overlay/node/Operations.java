package org.epost.overlay.node;

import java.util.Base64;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.PastObject;

/**
 * What the control port's storage and multicast commands do on a running node (ADR 0094). Runs on
 * control threads; every PAST or Scribe call crosses onto the loop through the node's bridge.
 *
 * <p>The commands live where their state does: single objects here, files in {@link FileTransfers}
 * (chunked under a {@link Manifest}, at most {@link #WINDOW} operations in flight through a {@link
 * Window}), multicast in {@link Multicast}, and the PAST calls they share in {@link PastBridge}.
 *
 * <p>Bounds: {@link #MAX_FILE_TRANSFERS} chunked puts and gets at once (more wait for a turn, up to
 * {@link #OP_TIMEOUT_SECONDS} s; a single-object put only holds its connection), {@link
 * #MAX_SUBSCRIPTIONS} subscriptions at once; each subscription buffers {@link #SUBSCRIPTION_QUEUE}
 * publications for a slow reader, then drops and says how many.
 */
final class Operations implements ControlServer.Commands {
  static final int WINDOW = 16;
  static final int MAX_FILE_TRANSFERS = 2;
  static final int MAX_SUBSCRIPTIONS = 8;
  static final int SUBSCRIPTION_QUEUE = 4096;
  static final int ATTEMPTS = 3;
  static final long OP_TIMEOUT_SECONDS = 90;

  private final NodeDaemon node;
  private final PastBridge past;
  private final FileTransfers files;
  private final Multicast multicast;

  Operations(NodeDaemon node) {
    this.node = node;
    this.past = new PastBridge(node, nodeLease(node));
    this.files = new FileTransfers(past);
    this.multicast = new Multicast(node);
  }

  /** A year, or the longest lease the storers grant if that is shorter. */
  private static long nodeLease(NodeDaemon node) {
    return Math.min(365L * 24 * 3_600_000, node.config().past().maxLeaseMillis());
  }

  void close() {
    multicast.close();
  }

  @Override
  public String route(String keyHex, boolean timed) throws Exception {
    Id key;
    try {
      key = Id.fromHex(keyHex);
    } catch (IllegalArgumentException e) {
      return "error bad key: " + e.getMessage();
    }
    return node.routeAnswer(key, timed);
  }

  @Override
  public List<String> status() {
    List<String> lines = new java.util.ArrayList<>(StatusReport.lines(node));
    for (String l : node.config().statusLines().get()) {
      lines.add(l.replace('\n', ' ').replace('\r', ' '));
    }
    return lines;
  }

  @Override
  public List<String> application(String text) {
    return node.config().applicationCommands().apply(text);
  }

  // ---- single objects (PUTB/GETB): one immutable object per call ----

  @Override
  public String putBytes(String base64) throws Exception {
    byte[] data;
    try {
      data = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return "error bad base64: " + e.getMessage();
    }
    if (data.length > PastObject.MAX_BYTES) {
      return "error an object is at most " + PastObject.MAX_BYTES + " bytes; use PUT <file>";
    }
    PastObject o = PastObject.immutable(data, past.expiry());
    int replicas = past.insert(o);
    return "stored " + o.id().toHex() + " replicas=" + replicas;
  }

  @Override
  public String getBytes(String idHex) throws Exception {
    Id id = PastBridge.parseId(idHex);
    if (id == null) {
      return "error bad id (40 hex digits)";
    }
    byte[] data = past.fetch(id);
    return "data " + Base64.getEncoder().encodeToString(data);
  }

  // ---- files ({@link FileTransfers}) ----

  @Override
  public String putFile(String pathText) throws Exception {
    return files.putFile(pathText);
  }

  @Override
  public String getFile(String idHex, String pathText) throws Exception {
    return files.getFile(idHex, pathText);
  }

  // ---- multicast ({@link Multicast}) ----

  @Override
  public String publish(String topic, String text) throws Exception {
    return multicast.publish(topic, text);
  }

  @Override
  public void subscribe(String topic, ControlServer.LineSink out) throws Exception {
    multicast.subscribe(topic, out);
  }
}
