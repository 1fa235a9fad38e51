package org.epost.mail.delivery;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How notifications become INBOX messages on this node.
 *
 * @param authservId the authentication service identifier in the {@code Authentication-Results}
 *     fields this node adds (RFC 8601 section 2.5): the ring's mail domain (or the node's name)
 * @param gatewayAddresses the ring's gateway accounts: a notification from one of them that says
 *     "from the Internet" is marked as such; from anyone else that claim is ignored
 * @param firstRetry first delay before filing a notification again after a retryable failure
 * @param maxRetry the cap of the doubling delay
 * @param maxAttempts attempts per notification before it is left to the notification service
 * @param maxWaiting notifications held while the account is not open yet, and in progress at once
 */
public record DeliveryConfig(
    String authservId,
    Set<String> gatewayAddresses,
    Duration firstRetry,
    Duration maxRetry,
    int maxAttempts,
    int maxWaiting) {
  public DeliveryConfig {
    Objects.requireNonNull(authservId, "authservId");
    if (!authservId.matches("[A-Za-z0-9.\\-]+")) {
      throw new IllegalArgumentException("authserv-id must be a domain name: " + authservId);
    }
    gatewayAddresses =
        gatewayAddresses.stream()
            .map(a -> a.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    if (maxAttempts <= 0 || maxWaiting <= 0) {
      throw new IllegalArgumentException("bounds must be positive");
    }
  }

  /**
   * Defaults for {@code authservId}: retry after 2 s doubling to 2 min, 10 attempts, 1,000
   * notifications waiting.
   */
  public static DeliveryConfig defaults(String authservId, Set<String> gatewayAddresses) {
    return new DeliveryConfig(
        authservId, gatewayAddresses, Duration.ofSeconds(2), Duration.ofMinutes(2), 10, 1000);
  }
}
