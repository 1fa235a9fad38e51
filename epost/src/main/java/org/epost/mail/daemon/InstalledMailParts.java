package org.epost.mail.daemon;

import java.util.Optional;

/**
 * The {@link MailParts} of this build. The mailbox ({@code org.epost.mail.mailbox}, {@code
 * org.epost.mail.imap}) and submission ({@code org.epost.mail.submit}, {@code
 * org.epost.mail.delivery}) packages are joined to the daemon here at integration: {@link #get}
 * then returns their implementation. Until then the daemon runs the node and POST for the ring and
 * serves no mail account (it says so at start and in {@code epost status}), rather than attaching
 * users whose notifications nothing would file.
 */
final class InstalledMailParts {
  private InstalledMailParts() {}

  /** The mail parts, if this build has them. */
  static Optional<MailParts> get() {
    return Optional.of(new PostMailParts());
  }

  /** What the daemon and the CLI say when the parts are missing. */
  static final String MISSING =
      "this build has no mail parts yet (mailbox and submission packages not integrated):"
          + " the node serves the ring, no account is opened";
}
