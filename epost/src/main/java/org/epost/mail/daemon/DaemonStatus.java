package org.epost.mail.daemon;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code epost status} shows of a running daemon, as the lines it adds to the node's control
 * port {@code STATUS} answer (each starting with {@code epost}, after the node's own lines):
 *
 * <pre>
 * epost phase=running mail=integrated|missing uptime=SECONDS outbox=N relayQueue=N
 * epost account ADDRESS outbox=N state=open|WHY NOT SERVED
 * epost listener imap|smtp HOST:PORT
 * </pre>
 *
 * @param phase what the daemon is doing (starting, unlocking keys, joining the ring, running,
 *     stopping)
 * @param mailIntegrated whether this build has the mail parts (mailbox and submission)
 * @param uptimeSeconds since the start began
 * @param accounts the local accounts: served ones open, the others with why not
 * @param listeners the IMAP and SMTP listeners
 * @param outbox messages acknowledged and waiting in local outboxes for the ring
 * @param relayQueue messages waiting for the smarthost
 */
public record DaemonStatus(
    String phase,
    boolean mailIntegrated,
    long uptimeSeconds,
    List<Account> accounts,
    List<Listener> listeners,
    int outbox,
    int relayQueue) {
  /** One local account. */
  public record Account(String address, String state, int outbox) {}

  /** One listener. */
  public record Listener(String protocol, InetSocketAddress address) {}

  /** The control-port lines. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add(
        "epost phase="
            + phase.replace(' ', '-')
            + " mail="
            + (mailIntegrated ? "integrated" : "missing")
            + " uptime="
            + uptimeSeconds
            + " outbox="
            + outbox
            + " relayQueue="
            + relayQueue);
    for (Account a : accounts) {
      out.add("epost account " + a.address() + " outbox=" + a.outbox() + " state=" + a.state());
    }
    for (Listener l : listeners) {
      out.add("epost listener " + l.protocol() + " " + RingFiles.hostPort(l.address()));
    }
    return out;
  }
}
