package org.epost.mail.mailbox;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.epost.imap.api.MessageRecord;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailException.Kind;

/**
 * Changes to the messages of folders, each one or more operations appended to the folder's log (ADR
 * 0110): filing (UIDs assigned on the loop in append order), flag changes with UNCHANGEDSINCE,
 * expunge of {@code \Deleted} messages, copy (new ADDs referencing the same stored blocks) and move
 * (copy, then expunge).
 */
final class FolderMessages {
  private final AccountLogs logs;
  private final Consumer<List<PostAccount.Filing>> afterFiling;

  /**
   * @param afterFiling told of every filing once its log write is acknowledged (the account fills
   *     its metadata and text indexes from there)
   */
  FolderMessages(AccountLogs logs, Consumer<List<PostAccount.Filing>> afterFiling) {
    this.logs = logs;
    this.afterFiling = afterFiling;
  }

  /**
   * Files several messages into {@code folder} in one log write: all or none (MULTIAPPEND, COPY).
   * Completes with their UIDs in order.
   */
  CompletionStage<List<Long>> fileAll(String folder, List<PostAccount.Filing> filings) {
    for (PostAccount.Filing f : filings) {
      if (f.addedHeader().length > Ops.MAX_ADDED_HEADER) {
        return CompletableFuture.failedFuture(
            new MailException(
                Kind.LIMIT, "an added header over " + Ops.MAX_ADDED_HEADER + " bytes"));
      }
      int flagBytes = 0;
      for (String fl : f.flags()) {
        flagBytes += fl.length() + 4;
      }
      if (flagBytes > Ops.MAX_FLAG_BYTES) {
        return CompletableFuture.failedFuture(new MailException(Kind.LIMIT, "too many flags"));
      }
    }
    List<Long> uids = new ArrayList<>();
    CompletionStage<List<Long>> done =
        logs.slot(folder)
            .thenCompose(
                slot ->
                    logs.append(
                        slot,
                        () -> {
                          FolderState s = (FolderState) slot.state;
                          List<byte[]> ops = new ArrayList<>();
                          for (PostAccount.Filing f : filings) {
                            long uid = Math.max(s.uidNext, slot.reservedUid + 1);
                            slot.reservedUid = uid;
                            uids.add(uid);
                            ops.add(
                                Ops.encode(
                                    new Ops.Add(
                                        uid,
                                        f.internalDate(),
                                        Set.copyOf(f.flags()),
                                        f.mail(),
                                        f.addedHeader().clone())));
                          }
                          return ops;
                        },
                        true))
            .thenApply(n -> List.copyOf(uids));
    done.thenRun(() -> afterFiling.accept(filings));
    return done;
  }

  /**
   * Changes flags; messages whose MODSEQ is above {@code unchangedSince} are left alone and
   * reported as modified.
   *
   * @param mode 0 add, 1 remove, 2 replace
   */
  CompletionStage<PostAccount.FlagResult> storeFlags(
      String folder, Collection<Long> uids, int mode, Set<String> flags, long unchangedSince) {
    List<Long> modified = new ArrayList<>();
    List<Long> targets = new ArrayList<>();
    return logs.slot(folder)
        .thenCompose(
            slot ->
                logs.append(
                        slot,
                        () -> {
                          FolderState s = (FolderState) slot.state;
                          List<Long> change = new ArrayList<>();
                          for (long u : new java.util.TreeSet<>(uids)) {
                            FolderState.Entry e = s.messages.get(u);
                            if (e == null) {
                              continue;
                            }
                            if (e.modSeq() > unchangedSince) {
                              modified.add(u);
                              continue;
                            }
                            targets.add(u);
                            if (!FolderState.combine(e.flags(), mode, flags).equals(e.flags())) {
                              change.add(u);
                            }
                          }
                          List<byte[]> ops = new ArrayList<>();
                          for (List<long[]> r : Ops.rangeChunks(change)) {
                            ops.add(Ops.encode(new Ops.Flags(mode, Set.copyOf(flags), r)));
                          }
                          return ops;
                        },
                        true)
                    .thenApply(
                        n -> {
                          Map<Long, MessageRecord> records = new LinkedHashMap<>();
                          synchronized (logs.lock) {
                            FolderState s = (FolderState) slot.state;
                            for (long u : targets) {
                              FolderState.Entry e = s.messages.get(u);
                              if (e != null) {
                                records.put(u, e.record());
                              }
                            }
                          }
                          return new PostAccount.FlagResult(records, modified);
                        }));
  }

  /** Removes messages flagged \Deleted (among {@code uids}, or all if null); the UIDs removed. */
  CompletionStage<List<Long>> expunge(String folder, Collection<Long> uids) {
    List<Long> removed = new ArrayList<>();
    return logs.slot(folder)
        .thenCompose(
            slot ->
                logs.append(
                    slot,
                    () -> {
                      FolderState s = (FolderState) slot.state;
                      Collection<Long> among = uids == null ? s.messages.keySet() : uids;
                      for (long u : new java.util.TreeSet<>(among)) {
                        FolderState.Entry e = s.messages.get(u);
                        if (e != null && e.flags().contains("\\Deleted")) {
                          removed.add(u);
                        }
                      }
                      return remove(removed);
                    },
                    true))
        .thenApply(n -> List.copyOf(removed));
  }

  private static List<byte[]> remove(List<Long> uids) {
    List<byte[]> ops = new ArrayList<>();
    for (List<long[]> r : Ops.rangeChunks(uids)) {
      ops.add(Ops.encode(new Ops.Expunge(r)));
    }
    return ops;
  }

  /** Copies messages (the same stored blocks: new ADDs referencing them). */
  CompletionStage<PostAccount.Copied> copy(String from, Collection<Long> uids, String to) {
    FolderListState.Folder target;
    try {
      target = logs.folder(to);
      logs.loaded(from);
    } catch (MailException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<Long> source = new ArrayList<>();
    List<PostAccount.Filing> filings = new ArrayList<>();
    synchronized (logs.lock) {
      FolderState s = logs.loaded(from);
      for (FolderState.Entry e : s.entries(new java.util.TreeSet<>(uids))) {
        source.add(e.uid());
        filings.add(new PostAccount.Filing(e.mail(), e.added(), e.flags(), e.internalDate()));
      }
    }
    if (filings.isEmpty()) {
      return CompletableFuture.completedFuture(
          new PostAccount.Copied(target.uidValidity(), List.of(), List.of()));
    }
    return fileAll(to, filings)
        .thenApply(t -> new PostAccount.Copied(target.uidValidity(), source, t));
  }

  /** Copies, then expunges the originals (a failure in between leaves both: nothing is lost). */
  CompletionStage<PostAccount.Copied> move(String from, Collection<Long> uids, String to) {
    return copy(from, uids, to)
        .thenCompose(
            c ->
                c.sourceUids().isEmpty()
                    ? CompletableFuture.completedFuture(c)
                    : logs.slot(from)
                        .thenCompose(slot -> logs.append(slot, () -> remove(c.sourceUids()), true))
                        .thenApply(n -> c));
  }
}
