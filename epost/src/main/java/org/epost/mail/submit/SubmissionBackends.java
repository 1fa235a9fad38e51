package org.epost.mail.submit;

import java.util.Collection;
import java.util.List;
import org.epost.smtp.api.SubmissionBackend;

/**
 * The SMTP proxy's backends on the ring.
 *
 * <pre>
 * SenderAccount alice = SenderAccount.open(aliceAccount, aliceServices, SubmissionConfig.defaults(host));
 * SmtpProxy submission = SmtpProxy.start(
 *     SmtpServerConfig.submission(Set.of("ring.example"), passwords).withPort(1587),
 *     SubmissionBackends.submission(List.of(alice)), SmtpWiring.relay(queueDir, smarthost));
 * SmtpProxy gateway = SmtpProxy.start(
 *     SmtpWiring.gateway(Set.of("ring.example"), bind, 25, GatewayLimits.defaults()),
 *     SubmissionBackends.gateway(gatewayAccount), Optional.empty());
 * </pre>
 */
public final class SubmissionBackends {
  private SubmissionBackends() {}

  /**
   * The submission port's backend for this node's local accounts: MAIL FROM must be the
   * authenticated user's own address (the proxy's password table is keyed by the account's
   * address), RCPT TO must be in the ring's directory, and DATA is stored once and notified to
   * every ring recipient, or kept in the account's outbox when the ring cannot be reached.
   * Recipients outside the ring never reach this backend (the proxy relays them).
   *
   * @param accounts the node's local accounts, at least one
   */
  public static SubmissionBackend submission(Collection<SenderAccount> accounts) {
    return new RingSubmissionBackend(List.copyOf(accounts), null);
  }

  /**
   * The Internet gateway's backend (ADR 0116): accepts mail for ring users only (the proxy refuses
   * other domains; this backend refuses addresses the directory does not know), stores it under the
   * gateway's own account and notifies each recipient as from the Internet.
   *
   * @param gatewayAccount the gateway node's own account (its enrolled gateway identity)
   */
  public static SubmissionBackend gateway(SenderAccount gatewayAccount) {
    return new RingSubmissionBackend(List.of(gatewayAccount), gatewayAccount);
  }
}
