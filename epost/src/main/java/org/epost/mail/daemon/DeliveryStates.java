package org.epost.mail.daemon;

import java.io.IOException;
import java.util.List;
import org.epost.overlay.node.NodeControl;

/**
 * {@code epost mail status MESSAGE-ID}: what the delivery ledgers of this data directory's accounts
 * say about a sent message (queued, stored, notified, delivered, failed per recipient). The ledgers
 * are encrypted under the accounts' keys, which only the running daemon holds unlocked, so the
 * question goes to the daemon through its node's control port ({@code APP mail-status}).
 */
public final class DeliveryStates {
  private DeliveryStates() {}

  /**
   * The ledger lines for {@code messageId}, each prefixed with the sending account; empty: no
   * account knows it.
   *
   * @throws IOException if the daemon of {@code d} is not running or does not answer
   */
  public static List<String> lookup(DataDirectory d, String messageId) throws IOException {
    List<String> lines = NodeControl.call(d.nodeDir(), "APP mail-status " + messageId, 10_000);
    if (!lines.isEmpty() && lines.get(0).startsWith("error ")) {
      throw new IOException(lines.get(0).substring("error ".length()));
    }
    return lines;
  }
}
