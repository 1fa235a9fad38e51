package org.epost.imap.api;

import java.util.List;

/**
 * The outcome of a copy or move (for the UIDPLUS {@code COPYUID} code).
 *
 * @param targetUidValidity UIDVALIDITY of the target mailbox
 * @param sourceUids the UIDs copied, in the order of {@code targetUids}
 * @param targetUids the new UIDs in the target mailbox
 */
public record CopyResult(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {
  public CopyResult {
    sourceUids = List.copyOf(sourceUids);
    targetUids = List.copyOf(targetUids);
    if (sourceUids.size() != targetUids.size()) {
      throw new IllegalArgumentException("source and target UID lists differ in length");
    }
  }
}
