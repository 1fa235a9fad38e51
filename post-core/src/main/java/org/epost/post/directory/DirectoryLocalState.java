package org.epost.post.directory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a node's directory keeps across restarts (ADR 0109): its per-address high-water marks
 * (rollback protection of directory entries) and the newest revocation list it installed. {@link
 * #inMemory()} keeps nothing (the simulation, tests); {@link FileDirectoryState} keeps a journal.
 *
 * <p>Threading: the recovered values are read once, when the directory is created on the loop; the
 * writes are made on the loop and run on the node's disk executor.
 */
public interface DirectoryLocalState {
  /** A recovered mark: the newest entry sequence accepted for an address and its hash. */
  record StoredMark(String address, long sequence, byte[] hash) {}

  /** The marks recovered at open, least recently written first. */
  List<StoredMark> marks();

  /** The revocation object recovered at open (already checked against the authority), or null. */
  SignedRevocations revocations();

  /** Records a new mark; write-behind (a crash may lose the last marks written, never corrupt). */
  void putMark(String address, long sequence, byte[] hash);

  /** Records the newest revocation list; completes once it is on disk. */
  CompletionStage<Void> putRevocations(SignedRevocations list);

  /** Nothing kept: a restarted node starts without marks or list. */
  static DirectoryLocalState inMemory() {
    return new DirectoryLocalState() {
      @Override
      public List<StoredMark> marks() {
        return List.of();
      }

      @Override
      public SignedRevocations revocations() {
        return null;
      }

      @Override
      public void putMark(String address, long sequence, byte[] hash) {}

      @Override
      public CompletionStage<Void> putRevocations(SignedRevocations list) {
        return CompletableFuture.completedFuture(null);
      }
    };
  }
}
