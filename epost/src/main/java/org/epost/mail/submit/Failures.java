package org.epost.mail.submit;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.epost.mail.api.MailException;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.NotifyException;
import org.epost.post.api.PostException;
import org.epost.post.api.StoreException;
import org.epost.smtp.api.SmtpStatus;

/** How the submit package reads a failure: retry it or give up, and what to tell the sender. */
final class Failures {
  private Failures() {}

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** True if the same step may succeed later (the ring was away or slow). */
  static boolean retryable(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof MailException m) {
      return m.retryable();
    }
    if (t instanceof PostException p) {
      return p.retryable();
    }
    return t instanceof TimeoutException
        || t instanceof java.util.concurrent.RejectedExecutionException;
  }

  /** An SMTP-style reply line for a recipient given up for {@code failure}. */
  static String reply(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof DirectoryException.NoSuchUser) {
      return "550 5.1.1 No such user on the ring";
    }
    if (t instanceof DirectoryException.Revoked || t instanceof DirectoryException.Expired) {
      return "550 5.2.1 The recipient's ring certificate is revoked or expired";
    }
    if (t instanceof DirectoryException.InvalidAddress) {
      return "553 5.1.3 Not a valid ring address";
    }
    if (t instanceof DirectoryException.Forged) {
      return "550 5.7.0 The ring's directory served a forged entry for the recipient";
    }
    if (t instanceof StoreException.MessageTooLargeException
        || (t instanceof MailException m && m.kind() == MailException.Kind.LIMIT)) {
      return "552 5.3.4 Message too large for the ring: " + oneLine(t.getMessage());
    }
    if (t instanceof NotifyException.LimitExceeded) {
      return "552 5.3.4 Notification over the ring's bounds: " + oneLine(t.getMessage());
    }
    if (retryable(t)) {
      return "451 4.4.1 The ring could not be reached: " + oneLine(String.valueOf(t.getMessage()));
    }
    return "554 5.0.0 " + oneLine(String.valueOf(t.getMessage()));
  }

  /** The refusal a client gets when its message cannot be stored at all. */
  static SmtpStatus refusal(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StoreException.MessageTooLargeException
        || (t instanceof MailException m && m.kind() == MailException.Kind.LIMIT)) {
      return SmtpStatus.MESSAGE_TOO_BIG;
    }
    return SmtpStatus.CONTENT_REJECTED;
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\\r\\n]+", " ");
  }
}
