package org.epost.overlay.node;

import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.OverlayNode;
import org.epost.overlay.transport.tcp.TransportStatistics;

/**
 * The lines of {@code status}: the node, its leaf set (one {@code leaf} line per member,
 * anticlockwise first), routing-table fill per row, and transport counters.
 */
final class StatusReport {
  private StatusReport() {}

  static List<String> lines(NodeDaemon d) {
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
                  + t.droppedQueueFull());
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
