package org.epost.mail.status;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.epost.mail.submit.DeliveryLedger;
import org.epost.post.api.LogStatus;

/**
 * What the status page shows, read fresh for every page: the node's control-port {@code STATUS}
 * lines and the served accounts. Implemented by the daemon; called on the page's own threads, never
 * on the node's loop (an implementation that needs the loop goes through its bridge).
 */
public interface StatusSource {
  /**
   * The node's {@code STATUS} lines, the daemon's {@code epost ...} lines included (see the node's
   * {@code StatusReport} and {@code DaemonStatus}).
   *
   * @throws IOException if the node does not answer
   */
  List<String> nodeStatus() throws IOException;

  /** The accounts this daemon serves or knows, in order. */
  List<AccountView> accounts();

  /**
   * What a mail client needs for each served account (Thunderbird's autoconfig document); empty
   * when the proxies do not run.
   */
  default List<org.epost.mail.api.ClientSettings> clientSettings() {
    return List.of();
  }

  /**
   * One account as the page shows it.
   *
   * @param address the account's address
   * @param state "open", or why it is not served
   * @param outbox messages acknowledged and waiting in its outbox for the ring
   * @param sent the newest messages of its delivery ledger, newest first
   * @param logs its log service's counters and proofs, when it is open
   */
  record AccountView(
      String address,
      String state,
      int outbox,
      List<DeliveryLedger.Sent> sent,
      Optional<LogStatus> logs) {
    public AccountView {
      sent = List.copyOf(sent);
    }
  }
}
