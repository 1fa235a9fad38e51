package org.epost.overlay.node;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.transport.tcp.TransportStatistics;

/**
 * The lines of {@code status}: the node, its leaf set (one {@code leaf} line per member,
 * anticlockwise first), routing-table fill per row, transport counters, PAST counters (objects
 * held, bytes, repairs, audits), Scribe counters (topics, deliveries, re-joins) and the JVM's heap.
 */
final class StatusReport {
  private StatusReport() {}

  static List<String> lines(NodeDaemon d) {
    List<String> lines = new ArrayList<>(overlayLines(d));
    // The store is thread-safe and blocks on I/O: read it here, on the control thread.
    org.epost.overlay.past.store.LogObjectStore store = d.store();
    long objects = store.entries().size();
    long used = store.usedBytes();
    lines.add(
        d.onLoop(
            () -> {
              org.epost.overlay.past.api.PastStatistics p = d.past().statistics();
              return "past objects="
                  + objects
                  + " bytes="
                  + used
                  + " quota="
                  + store.quotaBytes()
                  + " repairs="
                  + p.repairObjectsSent()
                  + " repairBytes="
                  + p.repairBytesSent()
                  + " availabilityRepairs="
                  + p.availabilityRepairObjectsSent()
                  + " audits="
                  + p.auditMessagesSent()
                  + " auditFailures="
                  + p.auditFailures()
                  + " corruptions="
                  + p.corruptionsDetected()
                  + " refusedStores="
                  + p.refusedStores()
                  + " collected="
                  + p.objectsCollected();
            }));
    lines.add(
        d.onLoop(
            () -> {
              org.epost.overlay.scribe.api.Scribe s = d.scribe();
              org.epost.overlay.scribe.api.ScribeStatistics st = s.statistics();
              return "scribe topics="
                  + s.topicCount()
                  + " subscriptions="
                  + s.subscriptions().size()
                  + " operatorSubscribers="
                  + d.subscriptions().listeners()
                  + " delivered="
                  + st.delivered()
                  + " rejoins="
                  + st.rejoins()
                  + " resends="
                  + st.resends()
                  + " duplicates="
                  + st.duplicatesDropped()
                  + " joinsRefused="
                  + st.joinsRefused();
            }));
    lines.add(jvmLine());
    return lines;
  }

  /** Heap now, its peak, the peak of live data after a collection, and its limit (HeapWatch). */
  static String jvmLine() {
    return HeapWatch.line();
  }

  private static List<String> overlayLines(NodeDaemon d) {
    return d.onLoop(
        () -> {
          OverlayNode n = d.overlay();
          List<String> out = new ArrayList<>();
          Id self = n.localHandle().id();
          out.add(
              "node " + self.toHex() + " " + n.localHandle().address() + " ready=" + n.isReady());
          List<NodeHandle> leaves = n.leafSet();
          out.add("leafset " + leaves.size());
          for (NodeHandle h : leaves) {
            out.add("leaf " + h.id().toHex() + " " + h.address());
          }
          int[] rows = new int[Id.DIGITS];
          List<NodeHandle> entries = n.routingTableEntries();
          int lastRow = -1;
          for (NodeHandle h : entries) {
            int row = self.sharedPrefixLength(h.id());
            if (row < Id.DIGITS) {
              rows[row]++;
              lastRow = Math.max(lastRow, row);
            }
          }
          StringBuilder fill = new StringBuilder("routing-table " + entries.size() + " entries;");
          for (int r = 0; r <= lastRow; r++) {
            fill.append(" row").append(r).append('=').append(rows[r]).append("/15");
          }
          out.add(fill.toString());
          TransportStatistics t = d.transportStatistics();
          out.add(
              "transport connections="
                  + t.openConnections()
                  + " framesIn="
                  + t.framesReceived()
                  + " framesOut="
                  + t.framesSent()
                  + " handshakeFailures="
                  + t.handshakeFailures()
                  + " rejectedFrames="
                  + t.rejectedFrames()
                  + " identityMismatches="
                  + t.identityMismatches()
                  + " unexpectedPeers="
                  + t.unexpectedPeers()
                  + " droppedQueueFull="
                  + t.droppedQueueFull()
                  + " handshaking="
                  + t.handshakingConnections()
                  + " refusedConnections="
                  + t.refusedConnections()
                  + " evictedHandshakes="
                  + t.evictedHandshakes());
          out.add(
              "overlay malformedFrames="
                  + n.statistics().malformedFrames()
                  + " reroutes="
                  + n.statistics().reroutes()
                  + " dropped="
                  + n.statistics().droppedMessages());
          return out;
        });
  }
}
