package org.epost.overlay.sim;

import java.util.Map;
import java.util.TreeMap;
import org.epost.overlay.pastry.WireFormat;

/**
 * Messages and bytes sent on the virtual network, counted at the sender (frames lost or sent to a
 * dead node are counted too: they cost bandwidth). Frames are classified by the overlay's wire
 * header: message type, and for application messages the application id.
 */
public final class TrafficCounters {
  private final long[] messagesByType = new long[256];
  private final long[] bytesByType = new long[256];
  private final Map<Integer, long[]> byApplication = new TreeMap<>();
  private int lastApp = -1; // one-entry cache: nearly every frame is of the same application
  private long[] lastCounts;
  private long totalMessages;
  private long totalBytes;

  void count(byte[] frame) {
    int type = WireFormat.frameType(frame);
    messagesByType[type]++;
    bytesByType[type] += frame.length;
    totalMessages++;
    totalBytes += frame.length;
    int app = WireFormat.frameApplication(frame);
    if (app >= 0) {
      long[] c = lastApp == app ? lastCounts : byApplication.computeIfAbsent(app, a -> new long[4]);
      lastApp = app;
      lastCounts = c;
      int k =
          WireFormat.isApplicationMessage(type) ? 0 : 2; // the message itself, or its ACK / RECEIPT
      c[k]++;
      c[k + 1] += frame.length;
    }
  }

  /** All frames sent. */
  public long totalMessages() {
    return totalMessages;
  }

  /** All bytes sent (whole frames). */
  public long totalBytes() {
    return totalBytes;
  }

  /**
   * Frames carrying application {@code applicationId}'s messages: routed (every hop counted) or
   * direct. Not their per-hop ACKs nor the end-to-end RECEIPTs, which are overlay control traffic
   * (see {@link #applicationAcks}).
   */
  public long applicationMessages(int applicationId) {
    long[] c = byApplication.get(applicationId);
    return c == null ? 0 : c[0];
  }

  /** Bytes of those frames. */
  public long applicationBytes(int applicationId) {
    long[] c = byApplication.get(applicationId);
    return c == null ? 0 : c[1];
  }

  /**
   * Per-hop ACK and end-to-end RECEIPT frames of application {@code applicationId}'s routed
   * messages (their header carries the application id). Control traffic spent on that application's
   * behalf.
   */
  public long applicationAcks(int applicationId) {
    long[] c = byApplication.get(applicationId);
    return c == null ? 0 : c[2];
  }

  /** Bytes of those frames. */
  public long applicationAckBytes(int applicationId) {
    long[] c = byApplication.get(applicationId);
    return c == null ? 0 : c[3];
  }

  /**
   * Message count per overlay message type name (e.g. "ROUTE", "ACK", "HEARTBEAT"), types seen
   * only.
   */
  public Map<String, Long> messagesByType() {
    Map<String, Long> m = new TreeMap<>();
    for (int t = 0; t < 256; t++) {
      if (messagesByType[t] > 0) {
        m.put(WireFormat.typeName(t), messagesByType[t]);
      }
    }
    return m;
  }

  /** Byte count per overlay message type name, types seen only. */
  public Map<String, Long> bytesByType() {
    Map<String, Long> m = new TreeMap<>();
    for (int t = 0; t < 256; t++) {
      if (bytesByType[t] > 0) {
        m.put(WireFormat.typeName(t), bytesByType[t]);
      }
    }
    return m;
  }

  /** A copy of the current counts, to subtract later (e.g. to measure only a quiet phase). */
  public TrafficCounters snapshot() {
    TrafficCounters s = new TrafficCounters();
    System.arraycopy(messagesByType, 0, s.messagesByType, 0, 256);
    System.arraycopy(bytesByType, 0, s.bytesByType, 0, 256);
    byApplication.forEach((k, v) -> s.byApplication.put(k, v.clone()));
    s.totalMessages = totalMessages;
    s.totalBytes = totalBytes;
    return s;
  }
}
