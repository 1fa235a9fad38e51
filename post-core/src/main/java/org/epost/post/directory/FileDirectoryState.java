package org.epost.post.directory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.overlay.api.Scheduler;
import org.epost.post.disk.Journal;
import org.epost.post.disk.JournalCorruptException;

/**
 * The directory's marks and newest revocation list in a journal ({@code directory.journal}, kind
 * {@code DIRS}; ADR 0107's format, ADR 0109): MARK records (address, sequence, SHA-256 of the
 * entry) and REVO records (the ring's revocation object). Marks are write-behind; a revocation
 * list's stage completes once it is on disk. At most {@code markCapacity} marks are kept (the least
 * recently written dropped first, as the directory's own map does) plus one list; the journal is
 * compacted (atomic rewrite of the live records) when it exceeds twice its live records plus 1 MiB.
 * A REVO record that does not verify under the ring's authority, or a record of an unknown type, is
 * a {@link JournalCorruptException} naming the file: never a silent loss, never an unchecked list.
 *
 * <p>Threading: {@link #open} reads the file (blocking): call it off the loop. The writes are made
 * on the loop; the I/O runs on {@code disk}, stages complete on {@code loop}.
 */
public final class FileDirectoryState implements DirectoryLocalState {
  static final String FILE = "directory.journal";
  private static final byte MARK = 1;
  private static final byte REVO = 2;
  private static final int MAX_RECORD = 64 * 1024;
  private static final long SLACK = 1 << 20;

  private final Journal journal;
  private final int markCapacity;
  private final List<StoredMark> recoveredMarks;
  private final SignedRevocations recoveredList;
  private final LinkedHashMap<String, byte[]> marks = new LinkedHashMap<>(); // address -> record
  private byte[] revocation; // record
  private long liveBytes;
  private CompletionStage<Void> compacting;

  private FileDirectoryState(
      Journal journal,
      int markCapacity,
      List<StoredMark> recoveredMarks,
      SignedRevocations recoveredList) {
    this.journal = journal;
    this.markCapacity = markCapacity;
    this.recoveredMarks = recoveredMarks;
    this.recoveredList = recoveredList;
  }

  /**
   * Opens (creating if absent) the state under {@code dir} (e.g. {@code DATA/post/directory}) of
   * the ring whose authority is {@code authority}. Blocking: off the loop.
   *
   * @throws JournalCorruptException if the file is damaged before its end, holds a record of an
   *     unknown type, or a revocation list this ring's authority did not sign
   * @throws IOException if it cannot be read or created
   */
  public static FileDirectoryState open(
      Path dir, SigningPublicKey authority, int markCapacity, Executor disk, Scheduler loop)
      throws IOException {
    if (markCapacity < 1) {
      throw new IllegalArgumentException("markCapacity must be positive");
    }
    Path file = dir.resolve(FILE);
    Journal j = Journal.open(file, "DIRS", MAX_RECORD, disk, loop);
    LinkedHashMap<String, StoredMark> byAddress = new LinkedHashMap<>();
    LinkedHashMap<String, byte[]> records = new LinkedHashMap<>();
    SignedRevocations list = null;
    byte[] listRecord = null;
    int n = 0;
    for (byte[] r : j.recovered()) {
      n++;
      try {
        ByteBuffer b = ByteBuffer.wrap(r);
        byte type = b.get();
        if (type == MARK) {
          String address = new String(Journal.Records.getShortBytes(b), StandardCharsets.UTF_8);
          long seq = b.getLong();
          byte[] hash = new byte[32];
          b.get(hash);
          if (b.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
          }
          byAddress.remove(address);
          records.remove(address);
          byAddress.put(address, new StoredMark(address, seq, hash));
          records.put(address, r);
          if (byAddress.size() > markCapacity) {
            String eldest = byAddress.keySet().iterator().next();
            byAddress.remove(eldest);
            records.remove(eldest);
          }
        } else if (type == REVO) {
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          SignedRevocations s;
          try {
            s = SignedRevocations.decode(bytes, authority);
          } catch (CryptoException e) {
            throw new JournalCorruptException(
                file,
                -1,
                "record " + n + ": a revocation list this ring did not sign: " + e.getMessage());
          }
          if (list == null || s.version() > list.version()) {
            list = s;
            listRecord = r;
          }
        } else {
          throw new IllegalArgumentException("record type " + type);
        }
      } catch (RuntimeException e) {
        throw new JournalCorruptException(
            file, -1, "record " + n + " is not a directory record: " + e);
      }
    }
    FileDirectoryState s =
        new FileDirectoryState(j, markCapacity, List.copyOf(byAddress.values()), list);
    s.marks.putAll(records);
    s.revocation = listRecord;
    for (byte[] r : records.values()) {
      s.liveBytes += Journal.footprint(r.length);
    }
    if (listRecord != null) {
      s.liveBytes += Journal.footprint(listRecord.length);
    }
    return s;
  }

  @Override
  public List<StoredMark> marks() {
    return recoveredMarks;
  }

  @Override
  public SignedRevocations revocations() {
    return recoveredList;
  }

  /** Marks held (at most the capacity). */
  public int markCount() {
    return marks.size();
  }

  /** The journal's file. */
  public Path file() {
    return journal.file();
  }

  @Override
  public void putMark(String address, long sequence, byte[] hash) {
    byte[] a = address.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = Journal.Records.buffer(1 + 2 + a.length + 8 + 32);
    b.put(MARK);
    Journal.Records.putShortBytes(b, a);
    b.putLong(sequence);
    b.put(hash, 0, 32);
    byte[] r = Journal.Records.bytes(b);
    byte[] old = marks.remove(address);
    if (old != null) {
      liveBytes -= Journal.footprint(old.length);
    }
    marks.put(address, r);
    liveBytes += Journal.footprint(r.length);
    if (marks.size() > markCapacity) {
      Map.Entry<String, byte[]> eldest = marks.entrySet().iterator().next();
      liveBytes -= Journal.footprint(eldest.getValue().length);
      marks.remove(eldest.getKey());
    }
    journal.append(r); // write-behind: a failure breaks the journal; the next list write reports it
    maybeCompact();
  }

  @Override
  public CompletionStage<Void> putRevocations(SignedRevocations list) {
    byte[] o = list.object().bytesUnsafe();
    byte[] r = new byte[1 + o.length];
    r[0] = REVO;
    System.arraycopy(o, 0, r, 1, o.length);
    if (revocation != null) {
      liveBytes -= Journal.footprint(revocation.length);
    }
    revocation = r;
    liveBytes += Journal.footprint(r.length);
    CompletionStage<Void> done = journal.append(r);
    maybeCompact();
    return done;
  }

  /** Closes the file after the writes made so far. */
  public CompletionStage<Void> close() {
    return journal.close();
  }

  private void maybeCompact() {
    if (compacting != null || journal.size() <= 2 * liveBytes + SLACK) {
      return;
    }
    List<byte[]> live = new ArrayList<>(marks.size() + 1);
    live.addAll(marks.values());
    if (revocation != null) {
      live.add(revocation);
    }
    CompletionStage<Void> c = journal.rewrite(Collections.unmodifiableList(live));
    compacting = c;
    c.whenComplete((v, t) -> compacting = null);
  }
}
