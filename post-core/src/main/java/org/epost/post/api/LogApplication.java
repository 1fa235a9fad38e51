package org.epost.post.api;

/**
 * What a log's writer needs from the application that owns the log's meaning (the email
 * application's folder state, for example). Threading: called on the node's loop, from within the
 * writer's own tasks; implementations must return promptly and must not call back into the writer
 * re-entrantly (append later, from another task).
 */
public interface LogApplication {
  /**
   * The ring holds operations this writer's node has not seen (the node started from a restored
   * backup, or after another session of this device wrote): apply them before anything else. Called
   * before the writer publishes its first head of a session, with a snapshot when the node's known
   * prefix is older than the log's newest snapshot. Operations the application appended meanwhile
   * are ordered after these.
   */
  void catchUp(LogContents missed);

  /**
   * The application's state covering every operation it has appended so far (the writer calls this
   * when it has taken every pending operation into one write, so that is exactly {@code sequence}
   * operations), as opaque bytes for a snapshot; at most {@code LogConfig.maxSnapshotBytes}.
   */
  byte[] snapshot(long sequence);
}
