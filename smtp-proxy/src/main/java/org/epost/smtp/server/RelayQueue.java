package org.epost.smtp.server;

import java.io.InputStream;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SubmissionException;

/**
 * The outbound queue as the submission session sees it: a two-step, durable hand-over so that a
 * message for both local and remote recipients is either taken for all of them or for none.
 *
 * <p>Thread-safe: sessions stage and commit concurrently.
 */
public interface RelayQueue {

  /** One message written and flushed to disk but not yet visible to delivery. */
  interface Staged {
    /** Makes the message durable and visible to delivery; returns once it survives a crash. */
    void commit() throws SubmissionException;

    /** Forgets the staged message (idempotent; no-op after commit). */
    void discard();
  }

  /**
   * Writes the message and its envelope (remote recipients only) to stable storage, not yet visible
   * to delivery.
   *
   * @throws SubmissionException 452 4.3.1 when the queue is full or the disk is, 451 otherwise
   */
  Staged stage(Envelope envelope, InputStream message) throws SubmissionException;
}
