package org.epost.imap.api;

import java.util.List;

/**
 * Where appended messages were stored (for the UIDPLUS {@code APPENDUID} code).
 *
 * @param uidValidity UIDVALIDITY of the mailbox
 * @param uids the new messages' UIDs, in the order they were given
 */
public record AppendResult(long uidValidity, List<Long> uids) {
  public AppendResult {
    uids = List.copyOf(uids);
  }
}
