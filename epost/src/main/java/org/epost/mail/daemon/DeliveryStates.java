package org.epost.mail.daemon;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code epost mail status MESSAGE-ID}: what the delivery ledgers of this data directory's accounts
 * say about a sent message (queued, stored, notified, delivered, failed per recipient), read from
 * disk through the submission part ({@link MailParts#deliveryStatus}).
 */
public final class DeliveryStates {
  private DeliveryStates() {}

  /**
   * The ledger lines for {@code messageId}, each prefixed with the sending account; empty list: no
   * account knows it; empty optional: this build has no submission part yet.
   */
  public static Optional<List<String>> lookup(DataDirectory d, String messageId)
      throws IOException {
    Optional<MailParts> parts = InstalledMailParts.get();
    if (parts.isEmpty()) {
      return Optional.empty();
    }
    List<String> out = new ArrayList<>();
    for (AccountDirectory a : d.accounts()) {
      for (String line : parts.get().deliveryStatus(a.submitState(), messageId)) {
        out.add(a.address() + " " + line);
      }
    }
    return Optional.of(out);
  }

  /** Why {@link #lookup} has nothing to say in this build. */
  public static String missing() {
    return InstalledMailParts.MISSING;
  }
}
