package org.epost.post.disk;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A journal cannot be read without losing records that may have been acknowledged: a record in the
 * middle of the file fails its checksum or has an impossible length, or the file is not a journal
 * of the expected kind. The file is left as it is; an operator moves it aside (and the node starts
 * with empty state for it) or restores it.
 */
public final class JournalCorruptException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final long offset;

  public JournalCorruptException(Path file, long offset, String what) {
    super(
        "journal "
            + file
            + " is corrupt at byte "
            + offset
            + ": "
            + what
            + " (records after it may have been acknowledged; the file was not changed:"
            + " move it aside to start this state empty, or restore it)");
    this.file = file;
    this.offset = offset;
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /** Where the damage starts. */
  public long offset() {
    return offset;
  }
}
