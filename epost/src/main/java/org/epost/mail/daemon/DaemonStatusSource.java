package org.epost.mail.daemon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.epost.mail.status.StatusSource;
import org.epost.overlay.node.NodeControl;
import org.epost.post.api.LogStatus;

/**
 * What the daemon's status page reads: the node's {@code STATUS} through its control port (the same
 * lines {@code epost status} reads), each account's delivery ledger and its log counters (read on
 * the node's loop through the bridge, at most {@value #LOOP_WAIT_MILLIS} ms).
 */
final class DaemonStatusSource implements StatusSource {
  static final int STATUS_TIMEOUT_MILLIS = 5_000;
  static final long LOOP_WAIT_MILLIS = 2_000;
  static final int SENT_SHOWN = 500;

  private final Daemon daemon;

  DaemonStatusSource(Daemon daemon) {
    this.daemon = daemon;
  }

  @Override
  public List<String> nodeStatus() throws IOException {
    return NodeControl.call(daemon.dataDirectory().nodeDir(), "STATUS", STATUS_TIMEOUT_MILLIS);
  }

  @Override
  public List<AccountView> accounts() {
    List<AccountView> out = new ArrayList<>();
    for (Daemon.LocalAccount a : daemon.localAccounts()) {
      MailParts.AccountSubmission sub = a.submission;
      out.add(
          new AccountView(
              a.dir.address(),
              "open",
              sub == null ? 0 : sub.outboxSize(),
              sub == null ? List.of() : sub.recentSent(SENT_SHOWN),
              logStatus(a)));
    }
    daemon
        .notServed()
        .forEach(
            (addr, why) -> out.add(new AccountView(addr, why, 0, List.of(), Optional.empty())));
    return out;
  }

  @Override
  public List<org.epost.mail.api.ClientSettings> clientSettings() {
    return daemon.clientSettings();
  }

  private Optional<LogStatus> logStatus(Daemon.LocalAccount a) {
    if (a.user == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          daemon
              .node()
              .bridge()
              .get(() -> a.user.logs().status(), Runnable::run)
              .get(LOOP_WAIT_MILLIS, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }
}
