package org.epost.post.api;

import java.util.concurrent.CompletionStage;

/**
 * A node's small durable key-value state for its logs: the high-water mark of every log it read
 * (version, hash and bytes of the newest head accepted), the writer's record of the newest head it
 * signed and its session, and equivocation proofs. The node provides it: in real mode a file per
 * key under the node's data directory, replaced atomically (write to a temporary file, force it,
 * rename, force the directory) so that a crash leaves the old or the new value, never a mix; in a
 * simulation a map in memory. Values are at most {@link #MAX_VALUE} bytes; keys are 1..120
 * characters of {@code [a-z0-9._/-]}, starting with a letter or digit, without {@code ..}, not
 * ending in {@code .tmp} (so that a key never names a path outside the directory).
 *
 * <p>Threading: call on the node's loop. {@link #read} answers from memory at once (the file
 * implementation loads its directory when it is created). {@link #write} makes the new value
 * visible to {@code read} at once and returns a stage that completes on the loop when the value is
 * durable; it fails (with the I/O error as cause) if the value could not be made durable, and the
 * caller must then not act as if it were.
 */
public interface LogLocalState {
  /** Largest value accepted: a head (56 KiB) plus a little. */
  int MAX_VALUE = 64 * 1024;

  /** The value under {@code key}, or null. */
  byte[] read(String key);

  /** Replaces the value under {@code key}; completes once durable. */
  CompletionStage<Void> write(String key, byte[] value);

  /**
   * The identity of this installation of the state (32 bytes) if its holder uses it
   * <em>exclusively</em>, else null (the default, and the simulation's memory state). Exclusive
   * means: no other object, in this process or another, uses the same storage while this one lives,
   * and whatever used it before has ended (a real node holds its data directory's lock for its
   * process's lifetime, and the operating system releases it only when that process is gone). The
   * identity is the same for the same storage on the same machine and differs for a copy of it
   * elsewhere (another path, another machine). A log writer records it with its session and, after
   * a crash of the previous session of the same installation, takes its logs over at once instead
   * of waiting the quiet period (ADR 0108).
   */
  default byte[] exclusiveIdentity() {
    return null;
  }
}
