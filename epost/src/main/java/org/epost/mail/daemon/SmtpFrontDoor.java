package org.epost.mail.daemon;

import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionBackend;
import org.epost.smtp.api.SubmissionException;

/**
 * The SMTP proxy's backend for the daemon's accounts: a submitted message goes to the submission
 * side of the account its client authenticated as. Also the daemon's gate for a clean stop ({@link
 * #stopTaking}): from then on every new call is refused with 451 (the client keeps the message and
 * retries), and {@link #awaitIdle} waits for the calls in flight, which finish normally.
 *
 * <p>A delivery without an authenticated user and with the null reverse-path is the relay's report
 * (RFC 3464) on mail a local sender relayed through the smarthost: it goes to that sender's
 * account, which files it into their INBOX.
 *
 * <p>Recipient checks ask any account's submission side: whether an address of the ring exists is
 * the directory's answer, the same for every local sender.
 *
 * <p>Thread-safe: called concurrently from the proxy's backend threads.
 */
final class SmtpFrontDoor implements SubmissionBackend {
  private final Map<String, MailParts.AccountSubmission> byAddress;
  private final MailParts.AccountSubmission anyAccount;
  private final Object lock = new Object();
  private int inFlight; // guarded by lock
  private boolean stopped; // guarded by lock

  SmtpFrontDoor(Map<String, MailParts.AccountSubmission> byAddress) {
    if (byAddress.isEmpty()) {
      throw new IllegalArgumentException("no account to submit for");
    }
    this.byAddress = Map.copyOf(byAddress);
    this.anyAccount = byAddress.values().iterator().next();
  }

  @Override
  public void checkRecipient(String address) throws SubmissionException {
    enter();
    try {
      anyAccount.checkRecipient(address);
    } finally {
      leave();
    }
  }

  @Override
  public void deliver(Envelope envelope, InputStream message) throws SubmissionException {
    String user = envelope.authenticatedUser().orElse("").trim().toLowerCase(Locale.ROOT);
    if (user.isEmpty() && envelope.reversePath().isEmpty() && envelope.recipients().size() == 1) {
      // The relay's own delivery status notification for a local sender (the submission port
      // never calls deliver without AUTH): filed into that sender's INBOX by their account.
      user = envelope.recipients().get(0).trim().toLowerCase(Locale.ROOT);
    }
    MailParts.AccountSubmission s = byAddress.get(user);
    if (s == null) {
      throw new SubmissionException(
          SmtpStatus.POLICY_REJECTED, "authenticate as a local account to submit");
    }
    enter();
    try {
      s.deliver(envelope, message);
    } finally {
      leave();
    }
  }

  /**
   * {@code backend} (the Internet gateway's) behind this door's stop gate: after {@link
   * #stopTaking} its calls are refused with 451 as well, and {@link #awaitIdle} waits for both.
   */
  SubmissionBackend gated(SubmissionBackend backend) {
    return new SubmissionBackend() {
      @Override
      public void checkRecipient(String address) throws SubmissionException {
        enter();
        try {
          backend.checkRecipient(address);
        } finally {
          leave();
        }
      }

      @Override
      public void deliver(Envelope envelope, InputStream message) throws SubmissionException {
        enter();
        try {
          backend.deliver(envelope, message);
        } finally {
          leave();
        }
      }
    };
  }

  private void enter() throws SubmissionException {
    synchronized (lock) {
      if (stopped) {
        throw new SubmissionException(
            SmtpStatus.TEMPORARY_FAILURE, "the ePOST daemon is stopping; try again shortly");
      }
      inFlight++;
    }
  }

  private void leave() {
    synchronized (lock) {
      inFlight--;
      lock.notifyAll();
    }
  }

  /** Refuses every later call with 451. */
  void stopTaking() {
    synchronized (lock) {
      stopped = true;
    }
  }

  /** Waits until no call is in flight or {@code grace} has passed; true if none is. */
  boolean awaitIdle(Duration grace) throws InterruptedException {
    long end = System.nanoTime() + grace.toNanos();
    synchronized (lock) {
      while (inFlight > 0) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }
  }

  int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }
}
