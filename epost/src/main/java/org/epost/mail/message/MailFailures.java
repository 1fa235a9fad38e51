package org.epost.mail.message;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailException.Kind;
import org.epost.post.api.LogException;
import org.epost.post.api.PostException;
import org.epost.post.api.StoreException;

/** Maps what POST and the JVM throw onto {@link MailException}s with the right kind. */
public final class MailFailures {
  private MailFailures() {}

  /** Unwraps completion and execution wrappers. */
  public static Throwable cause(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The {@link MailException} that says what {@code t} means for a mail operation. */
  public static MailException toMail(String what, Throwable t) {
    Throwable c = cause(t);
    if (c instanceof MailException m) {
      return m;
    }
    Kind kind;
    if (c instanceof StoreException.MessageTooLargeException
        || c instanceof StoreException.LedgerFullException
        || c instanceof LogException.LimitExceeded) {
      kind = Kind.LIMIT;
    } else if (c instanceof StoreException.CorruptMessageException
        || c instanceof LogException.Corrupt
        || c instanceof LogException.Equivocated) {
      kind = Kind.CORRUPT;
    } else if (c instanceof StoreException.MessageNotFoundException) {
      kind = Kind.NONEXISTENT;
    } else if (c instanceof LogException.WriterConflict) {
      kind = Kind.CANNOT;
    } else if (c instanceof PostException p) {
      kind = p.retryable() ? Kind.UNAVAILABLE : Kind.CANNOT;
    } else if (c instanceof TimeoutException
        || c instanceof RejectedExecutionException
        || c instanceof InterruptedException) {
      kind = Kind.UNAVAILABLE;
    } else if (c instanceof IllegalArgumentException) {
      kind = Kind.CORRUPT;
    } else {
      kind = Kind.UNAVAILABLE;
    }
    return new MailException(kind, what + ": " + c.getMessage(), c);
  }
}
