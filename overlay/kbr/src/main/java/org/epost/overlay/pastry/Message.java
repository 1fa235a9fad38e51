package org.epost.overlay.pastry;

import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;

/** A decoded overlay message (the body after the header). Immutable values. */
interface Message {
  int type();

  /** A routed message: an application message (ROUTE) or a join request (JOIN, appId 0). */
  final class Routed implements Message {
    final int type;
    final long msgId;
    final Id key;
    final NodeHandle source;
    final int hops;
    final int appId;
    final byte[] payload; // ROUTE only
    final List<JoinRow> rows; // JOIN only

    Routed(
        int type,
        long msgId,
        Id key,
        NodeHandle source,
        int hops,
        int appId,
        byte[] payload,
        List<JoinRow> rows) {
      this.type = type;
      this.msgId = msgId;
      this.key = key;
      this.source = source;
      this.hops = hops;
      this.appId = appId;
      this.payload = payload;
      this.rows = rows;
    }

    Routed withHops(int h) {
      return new Routed(type, msgId, key, source, h, appId, payload, rows);
    }

    Routed withRows(List<JoinRow> r) {
      return new Routed(type, msgId, key, source, hops, appId, payload, r);
    }

    @Override
    public int type() {
      return type;
    }
  }

  /** One routing-table row carried by a join: row index and its filled entries. */
  record JoinRow(int row, List<NodeHandle> entries) {}

  /** Hop acknowledgement (ACK) or end-to-end delivery receipt (RECEIPT). */
  record Ack(int type, long msgId, int appId) implements Message {}

  /** Direct application message. */
  record Direct(int appId, byte[] payload) implements Message {
    @Override
    public int type() {
      return WireFormat.DIRECT;
    }
  }

  /** A list of handles: JOIN_REPLY (with rows), ANNOUNCE, ANNOUNCE_ACK, HEARTBEAT. */
  record HandleList(int type, List<NodeHandle> handles, List<JoinRow> rows) implements Message {}

  /**
   * PING / PONG with the pinger's send time echoed. {@code newcomer} on a PING: the pinger has just
   * joined, so the receiver may want to measure it too (it could be a closer table entry). {@code
   * measureMillis} on a PONG ({@link #NO_MEASURE} otherwise): the answerer's own clock, to be
   * echoed back in a plain PONG, so the answerer measures the round trip too with one message
   * instead of a PING/PONG pair of its own.
   */
  record Probe(int type, long echoMillis, boolean newcomer, long measureMillis) implements Message {
    static final long NO_MEASURE = -1;

    Probe(int type, long echoMillis, boolean newcomer) {
      this(type, echoMillis, newcomer, NO_MEASURE);
    }
  }

  /**
   * ROW_REQUEST (entries empty) or ROW_REPLY: a routing-table row with the responder's measured
   * round-trip time to each entry (ms, {@link RoutingTable#UNKNOWN_RTT} if unmeasured).
   */
  record Row(int type, int row, List<NodeHandle> entries, int[] rtts) implements Message {
    static Row request(int row) {
      return new Row(WireFormat.ROW_REQUEST, row, List.of(), new int[0]);
    }
  }

  /** FAILED: the sender found this node dead. */
  record Failed(NodeHandle dead) implements Message {
    @Override
    public int type() {
      return WireFormat.FAILED;
    }
  }
}
