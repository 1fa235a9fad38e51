package org.epost.mail.mailbox;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.imap.api.MailboxListener;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.MessageRecord;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageRef;

/**
 * One folder's messages as its log builds them: per UID the message, its flags and MODSEQ (the
 * number of the operation that last changed it, plus one), and the UIDs expunged recently.
 */
final class FolderState extends LoggedState {
  /**
   * One message of the folder: its listing record (made once, when the message arrives or its flags
   * change, and shared by every view of the folder), the stored message and the header lines added
   * to this copy.
   */
  record Entry(MessageRecord record, StoredMail mail, byte[] added) {
    Entry(
        long uid,
        long internalDate,
        Set<String> flags,
        long modSeq,
        StoredMail mail,
        byte[] added) {
      this(
          new MessageRecord(
              uid, mail.size() + added.length, Instant.ofEpochMilli(internalDate), flags, modSeq),
          mail,
          added);
    }

    long uid() {
      return record.uid();
    }

    long internalDate() {
      return record.internalDate().toEpochMilli();
    }

    Set<String> flags() {
      return record.flags();
    }

    long modSeq() {
      return record.modSeq();
    }
  }

  final String folderId;
  final TreeMap<Long, Entry> messages = new TreeMap<>();
  final ArrayDeque<long[]> expunged = new ArrayDeque<>(); // {modSeq, uid}, ascending
  private final int expungeHistory;
  long uidNext = 1;
  long expungeFloor; // expunges at or below this MODSEQ may be forgotten

  /** What a SELECT lists, shared until the folder changes; null after a change until asked. */
  private Listing listing;

  /**
   * Every message's record in ascending UID order (immutable) and their summary.
   *
   * @param records the records
   * @param firstUnseen the sequence number of the first record without {@code \Seen}, or 0
   * @param keywords keywords on the records (at most {@link MailboxSnapshot#MAX_KEYWORDS})
   */
  record Listing(List<MessageRecord> records, int firstUnseen, Set<String> keywords) {}

  FolderState(String folderId, int expungeHistory) {
    this.folderId = folderId;
    this.expungeHistory = expungeHistory;
  }

  /**
   * HIGHESTMODSEQ: 1 for a folder without operations, the newest operation's MODSEQ after (ADR
   * 0110: operation number + 2, so that the first change is above what an empty folder shows).
   */
  long highestModSeq() {
    return sequence + 1;
  }

  /**
   * The folder's listing, shared by every caller until the folder changes (a SELECT takes it as it
   * is; after a change it is gathered again from the entries' records, no record is made).
   */
  Listing listing() {
    if (listing == null) {
      MessageRecord[] all = new MessageRecord[messages.size()];
      int i = 0;
      for (Entry e : messages.values()) {
        all[i++] = e.record();
      }
      List<MessageRecord> records = List.of(all);
      listing =
          new Listing(
              records,
              MailboxSnapshot.firstUnseen(records),
              Set.copyOf(MailboxSnapshot.keywords(records)));
    }
    return listing;
  }

  @Override
  void clear() {
    listing = null;
    messages.clear();
    expunged.clear();
    uidNext = 1;
    expungeFloor = 0;
    sequence = 0;
  }

  @Override
  void apply(Object op, boolean live, Effects fx) {
    listing = null;
    long modSeq = sequence + 2; // above highestModSeq() before this operation
    if (op instanceof Ops.Add a) {
      if (a.uid() < uidNext || messages.containsKey(a.uid())) {
        return; // never reuse or reorder UIDs
      }
      messages.put(
          a.uid(),
          new Entry(a.uid(), a.internalDate(), a.flags(), modSeq, a.mail(), a.addedHeader()));
      uidNext = a.uid() + 1;
      if (live) {
        fx.holds.add(a.mail());
      }
      fx.changed(folderId, MailboxListener.Change.NEW_MESSAGES);
    } else if (op instanceof Ops.Flags f) {
      for (long[] r : f.ranges()) {
        for (Entry e : new ArrayList<>(messages.subMap(r[0], true, r[1], true).values())) {
          Set<String> next = combine(e.flags(), f.mode(), f.flags());
          if (!next.equals(e.flags())) {
            messages.put(
                e.uid(), new Entry(e.record().withFlags(next, modSeq), e.mail(), e.added()));
            fx.changed(folderId, MailboxListener.Change.FLAGS_CHANGED);
          }
        }
      }
    } else if (op instanceof Ops.Expunge x) {
      for (long[] r : x.ranges()) {
        Map<Long, Entry> gone = messages.subMap(r[0], true, r[1], true);
        for (Entry e : gone.values()) {
          expunged.add(new long[] {modSeq, e.uid()});
          if (live) {
            fx.releases.add(e.mail().ref());
          }
        }
        if (!gone.isEmpty()) {
          fx.changed(folderId, MailboxListener.Change.EXPUNGED);
        }
        gone.clear();
      }
      while (expunged.size() > expungeHistory) {
        expungeFloor = Math.max(expungeFloor, expunged.removeFirst()[0]);
      }
    }
  }

  static Set<String> combine(Set<String> old, int mode, Set<String> flags) {
    Set<String> next = new LinkedHashSet<>();
    switch (mode) {
      case 0 -> {
        next.addAll(old);
        next.addAll(flags);
      }
      case 1 -> {
        next.addAll(old);
        next.removeAll(flags);
      }
      default -> next.addAll(flags);
    }
    return Set.copyOf(next);
  }

  /** Messages changed after {@code modSeq}, ascending UID. */
  List<MessageRecord> changedSince(long modSeq) {
    List<MessageRecord> out = new ArrayList<>();
    for (Entry e : messages.values()) {
      if (e.modSeq() > modSeq) {
        out.add(e.record());
      }
    }
    return out;
  }

  /** UIDs expunged after {@code modSeq}, ascending. */
  List<Long> expungedSince(long modSeq) {
    List<Long> out = new ArrayList<>();
    Iterator<long[]> it = expunged.descendingIterator();
    while (it.hasNext()) {
      long[] x = it.next();
      if (x[0] <= modSeq) {
        break;
      }
      out.add(x[1]);
    }
    out.sort(null);
    return out;
  }

  List<Entry> entries(Collection<Long> uids) {
    List<Entry> out = new ArrayList<>();
    for (long u : uids) {
      Entry e = messages.get(u);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  @Override
  void write(DataOutputStream out) throws IOException {
    out.writeLong(uidNext);
    out.writeLong(expungeFloor);
    out.writeInt(messages.size());
    for (Entry e : messages.values()) {
      out.writeLong(e.uid());
      out.writeLong(e.internalDate());
      out.writeLong(e.modSeq());
      Ops.flags(out, e.flags());
      Ops.bytes(out, e.mail().ref().encode());
      out.writeLong(e.mail().size());
      Ops.bytes(out, e.mail().layout());
      out.writeLong(e.mail().expiryWallMillis());
      Ops.bytes(out, e.added());
    }
    out.writeInt(expunged.size());
    for (long[] x : expunged) {
      out.writeLong(x[0]);
      out.writeLong(x[1]);
    }
  }

  @Override
  void read(DataInputStream in) throws IOException {
    listing = null;
    uidNext = in.readLong();
    expungeFloor = in.readLong();
    int n = in.readInt();
    try {
      for (int i = 0; i < n; i++) {
        long uid = in.readLong();
        long date = in.readLong();
        long modSeq = in.readLong();
        Set<String> flags = Ops.flags(in);
        MessageRef ref = MessageRef.decode(Ops.bytes(in, 256));
        long size = in.readLong();
        byte[] layout = Ops.bytes(in, 1024);
        long expiry = in.readLong();
        byte[] added = Ops.bytes(in, Ops.MAX_ADDED_HEADER);
        messages.put(
            uid,
            new Entry(uid, date, flags, modSeq, new StoredMail(ref, size, layout, expiry), added));
      }
    } catch (CryptoFormatException e) {
      throw new IOException("a message reference in the snapshot does not decode", e);
    }
    int x = in.readInt();
    for (int i = 0; i < x; i++) {
      expunged.add(new long[] {in.readLong(), in.readLong()});
    }
  }
}
