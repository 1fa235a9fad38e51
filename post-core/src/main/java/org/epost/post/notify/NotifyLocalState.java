package org.epost.post.notify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.seal.ReplayDetector;
import org.epost.overlay.api.Scheduler;
import org.epost.post.api.NotificationFailure;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.epost.post.api.NotificationStatus;
import org.epost.post.disk.Journal;

/**
 * What one user's notification service keeps across a restart of its node: the replay detector, the
 * ids of notifications already delivered, and the outbox (the status of what the user sent). All
 * three are bounded ({@link NotifyConfig#replayCapacity}, {@link NotifyConfig#outboxCapacity}).
 *
 * <p>{@link #NotifyLocalState(NotifyConfig)} keeps them in memory: a caller that keeps the object
 * across a restart of the service (as the simulation does for a user whose node returns) keeps
 * them; a process restart loses them. {@link #onDisk} keeps them in a journal too (ADR 0107):
 * {@code notify.journal} (kind {@code NOTE}) of REPLAY (sender key, nonce, timestamp), ACCEPTED and
 * SEEN (notification id) and OUT (a sent notification's whole status) records, written behind on
 * the node's disk executor and compacted (rewritten with the live state) when it holds more than
 * twice the live records plus 4,096. A crash loses at most the last moments' changes: a lost SEEN
 * brings a duplicate (delivered again, never lost: the pending copies are deleted only after the
 * receipt, ADR 0106), a lost OUT change is corrected by the next receipt or expiry. Every part is
 * bounded as in memory; the journal by the compaction rule.
 *
 * <p>Threading: used on the node's loop only.
 */
public final class NotifyLocalState {
  final ReplayDetector replay;
  private final int capacity;
  private final int outboxCapacity;
  private final LinkedHashMap<NotificationId, Boolean> seen = new LinkedHashMap<>();
  private final LinkedHashMap<NotificationId, Boolean> accepted = new LinkedHashMap<>();
  private final LinkedHashMap<NotificationId, Outgoing> outbox = new LinkedHashMap<>();

  private static final byte R_REPLAY = 1;
  private static final byte R_ACCEPTED = 2;
  private static final byte R_SEEN = 3;
  private static final byte R_OUT = 4;
  private static final int MAX_RECORD = 2048;
  private Journal journal;
  private final ArrayDeque<byte[]> replayRecords = new ArrayDeque<>();
  private long journalRecords;
  private CompletionStage<Void> compacting;

  /**
   * The state of one user kept in {@code dir} (created if absent; one directory per user), read
   * back as it was at the last write that reached the disk. Blocking: call off the loop; then use
   * on the loop, whose {@code loop} scheduler completes the writes.
   *
   * @throws org.epost.post.disk.JournalCorruptException if the journal is damaged before its end
   * @throws IOException if it cannot be read or created
   */
  public static NotifyLocalState onDisk(
      Path dir, Executor disk, Scheduler loop, NotifyConfig config) throws IOException {
    Journal j = Journal.open(dir.resolve("notify.journal"), "NOTE", MAX_RECORD, disk, loop);
    NotifyLocalState s = new NotifyLocalState(config);
    try {
      for (byte[] r : j.recovered()) {
        s.load(r);
      }
    } catch (RuntimeException | CryptoFormatException e) {
      throw new IOException(
          "notification state " + j.file() + ": a record does not decode: " + e, e);
    }
    while (s.outbox.size() > s.outboxCapacity) {
      Iterator<NotificationId> i = s.outbox.keySet().iterator();
      i.next();
      i.remove();
    }
    s.journal = j;
    s.journalRecords = j.recovered().size();
    return s;
  }

  private void load(byte[] r) throws CryptoFormatException {
    ByteBuffer b = ByteBuffer.wrap(r);
    byte type = b.get();
    switch (type) {
      case R_REPLAY -> {
        SigningPublicKey sender = SigningPublicKey.fromBytes(Journal.Records.getShortBytes(b));
        byte[] nonce = Journal.Records.getShortBytes(b);
        long t = b.getLong();
        try {
          replay.check(
              new OpenedEnvelope(sender, Instant.ofEpochMilli(t), nonce, new byte[0]),
              Instant.ofEpochMilli(t));
        } catch (VerificationException e) {
          // already remembered, or older than the memory vouches for: nothing to add
        }
        rememberReplay(r);
      }
      case R_ACCEPTED -> {
        NotificationId id = NotificationId.of(Journal.Records.getShortBytes(b));
        if (!seen.containsKey(id)) {
          putBounded(accepted, id);
        }
      }
      case R_SEEN -> {
        NotificationId id = NotificationId.of(Journal.Records.getShortBytes(b));
        accepted.remove(id);
        putBounded(seen, id);
      }
      case R_OUT -> {
        NotificationId id = NotificationId.of(Journal.Records.getShortBytes(b));
        String recipient = new String(Journal.Records.getShortBytes(b), StandardCharsets.UTF_8);
        SigningPublicKey key = SigningPublicKey.fromBytes(Journal.Records.getShortBytes(b));
        long expiresAt = b.getLong();
        NotificationState st = NotificationState.values()[b.get()];
        int f = b.get();
        int replicas = b.getInt();
        long changedAt = b.getLong();
        Outgoing o = new Outgoing(id, recipient, key, expiresAt, changedAt);
        o.state = st;
        o.failure = f < 0 ? null : NotificationFailure.values()[f];
        o.storedReplicas = replicas;
        outbox.remove(id);
        outbox.put(id, o);
      }
      default -> throw new IllegalArgumentException("unknown record type " + type);
    }
  }

  private void putBounded(LinkedHashMap<NotificationId, Boolean> m, NotificationId id) {
    m.put(id, Boolean.TRUE);
    if (m.size() > capacity) {
      Iterator<NotificationId> i = m.keySet().iterator();
      i.next();
      i.remove();
    }
  }

  private void rememberReplay(byte[] r) {
    replayRecords.add(r);
    if (replayRecords.size() > capacity) {
      replayRecords.poll();
    }
  }

  private static byte[] idRecord(byte type, NotificationId id) {
    ByteBuffer b = ByteBuffer.allocate(3 + NotificationId.LENGTH);
    b.put(type);
    Journal.Records.putShortBytes(b, id.toBytes());
    return Journal.Records.bytes(b);
  }

  private static byte[] outRecord(Outgoing o) {
    byte[] rcpt = o.recipient.getBytes(StandardCharsets.UTF_8);
    byte[] key = o.recipientKey.toBytes();
    ByteBuffer b =
        ByteBuffer.allocate(
            1 + 2 + NotificationId.LENGTH + 2 + rcpt.length + 2 + key.length + 8 + 1 + 1 + 4 + 8);
    b.put(R_OUT);
    Journal.Records.putShortBytes(b, o.id.toBytes());
    Journal.Records.putShortBytes(b, rcpt);
    Journal.Records.putShortBytes(b, key);
    b.putLong(o.expiresAt);
    b.put((byte) o.state.ordinal());
    b.put((byte) (o.failure == null ? -1 : o.failure.ordinal()));
    b.putInt(o.storedReplicas);
    b.putLong(o.changedAt);
    return Journal.Records.bytes(b);
  }

  private void write(byte[] record) {
    if (journal == null) {
      return;
    }
    journal.append(record);
    journalRecords++;
    long live = replayRecords.size() + accepted.size() + seen.size() + outbox.size();
    if (compacting == null && journalRecords > 2 * live + 4096) {
      List<byte[]> all = new ArrayList<>(replayRecords);
      for (NotificationId id : seen.keySet()) {
        all.add(idRecord(R_SEEN, id));
      }
      for (NotificationId id : accepted.keySet()) {
        all.add(idRecord(R_ACCEPTED, id));
      }
      for (Outgoing o : outbox.values()) {
        all.add(outRecord(o));
      }
      journalRecords = all.size();
      CompletionStage<Void> c = journal.rewrite(all);
      compacting = c;
      c.whenComplete((v, e) -> compacting = null);
    }
  }

  /** Checks {@code opened} against the replay memory and remembers it (durably on disk). */
  void checkReplay(OpenedEnvelope opened, Instant now) throws VerificationException {
    replay.check(opened, now);
    byte[] key = opened.sender().toBytes();
    ByteBuffer b = ByteBuffer.allocate(1 + 2 + key.length + 2 + opened.nonce().length + 8);
    b.put(R_REPLAY);
    Journal.Records.putShortBytes(b, key);
    Journal.Records.putShortBytes(b, opened.nonce());
    b.putLong(opened.timestamp().toEpochMilli());
    byte[] r = Journal.Records.bytes(b);
    if (journal != null) {
      rememberReplay(r);
    }
    write(r);
  }

  /** A sent notification's status changed: written behind to disk. */
  void updated(Outgoing o) {
    if (outbox.get(o.id) == o) {
      write(outRecord(o));
    }
  }

  /** An empty state in memory, sized by {@code config}. */
  public NotifyLocalState(NotifyConfig config) {
    this.capacity = config.replayCapacity();
    this.outboxCapacity = config.outboxCapacity();
    this.replay =
        new ReplayDetector(
            Duration.ofMillis(config.retentionMillis() + config.clockSkewMillis()),
            Duration.ofMillis(config.clockSkewMillis()),
            config.replayCapacity());
  }

  /** One sent notification. */
  static final class Outgoing {
    final NotificationId id;
    final String recipient;
    final SigningPublicKey recipientKey;
    final long expiresAt;
    NotificationState state = NotificationState.STORED;
    NotificationFailure failure;
    int storedReplicas;
    long changedAt;

    Outgoing(
        NotificationId id,
        String recipient,
        SigningPublicKey recipientKey,
        long expiresAt,
        long now) {
      this.id = id;
      this.recipient = recipient;
      this.recipientKey = recipientKey;
      this.expiresAt = expiresAt;
      this.changedAt = now;
    }

    boolean isFinal() {
      return state == NotificationState.DELIVERED || state == NotificationState.FAILED;
    }

    NotificationStatus status() {
      return new NotificationStatus(
          id, recipient, state, failure, storedReplicas, changedAt, expiresAt);
    }
  }

  boolean seen(NotificationId id) {
    return seen.containsKey(id);
  }

  /**
   * True if {@code id} passed the replay check but the application has not yet held it durably (a
   * failed or interrupted hand-over): it is handed over again without a second replay check.
   */
  boolean accepted(NotificationId id) {
    return accepted.containsKey(id);
  }

  /**
   * Records that {@code id} passed the replay check (as {@code opened}) and is being handed over.
   */
  void markAccepted(NotificationId id, OpenedEnvelope opened) {
    putBounded(accepted, id);
    write(idRecord(R_ACCEPTED, id));
  }

  void markSeen(NotificationId id) {
    accepted.remove(id);
    putBounded(seen, id);
    write(idRecord(R_SEEN, id));
  }

  Outgoing outgoing(NotificationId id) {
    return outbox.get(id);
  }

  /**
   * Adds an entry, evicting the oldest final ones first; false if the outbox is full of live ones.
   */
  boolean add(Outgoing o) {
    if (outbox.size() >= outboxCapacity) {
      Iterator<Map.Entry<NotificationId, Outgoing>> i = outbox.entrySet().iterator();
      while (i.hasNext() && outbox.size() >= outboxCapacity) {
        if (i.next().getValue().isFinal()) {
          i.remove();
        }
      }
      if (outbox.size() >= outboxCapacity) {
        return false;
      }
    }
    outbox.put(o.id, o);
    write(outRecord(o));
    return true;
  }

  List<Outgoing> live() {
    List<Outgoing> out = new ArrayList<>();
    for (Outgoing o : outbox.values()) {
      if (!o.isFinal()) {
        out.add(o);
      }
    }
    return out;
  }
}
