package org.epost.imap.api;

import java.util.List;
import java.util.Map;

/**
 * The outcome of {@link UserSession#storeFlags}.
 *
 * @param records the record, after the store, of every requested message that still exists and was
 *     not refused: its flags and modification sequence (unchanged if the flags did not change)
 * @param modified UIDs left alone because their modification sequence was above {@code
 *     unchangedSince} (RFC 7162 {@code [MODIFIED]}), ascending
 */
public record StoreResult(Map<Long, MessageRecord> records, List<Long> modified) {
  public StoreResult {
    records = Map.copyOf(records);
    modified = List.copyOf(modified);
  }
}
