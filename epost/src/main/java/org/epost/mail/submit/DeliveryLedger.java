package org.epost.mail.submit;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationStatus;
import org.epost.post.disk.AtomicFiles;

/**
 * The delivery states of the messages one account sent, by Message-ID and recipient: what {@code
 * epost mail status MESSAGE-ID} and the status API show. Fed by the outbox (queued, stored,
 * notified, failed) and by the notification service's state changes (delivered, failed).
 *
 * <p>Durable: every change is appended to {@code ledger.log} in the account's submit directory,
 * encrypted at rest ({@link AtRestCipher}). {@link #record} and {@link #notified} force it to disk
 * before they return; {@link #recordDeferred} and {@link #notifiedDeferred} (the dispatcher's
 * changes of a message the outbox still holds) are forced by the next {@link #sync}, which the
 * dispatcher calls before the outbox lets go of the message or it waits for a retry, so one fsync
 * covers a message's queued, stored and notified states. The file is rewritten from memory when it
 * holds four times more records than live states. Bounded: the newest {@link
 * SubmissionConfig#ledgerMessages()} messages are kept, the oldest forgotten first.
 *
 * <p>Thread-safe: {@link #status} may be called from any thread (the CLI, the status API); the
 * writing methods are called by the account's dispatcher thread, never on the node's loop.
 */
public final class DeliveryLedger implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DeliveryLedger.class.getName());
  private static final byte[] AAD = "ledger".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_RECORD = 4096;

  /** Where a notification this account sent belongs. */
  record Link(String messageId, String recipient) {}

  private final Path file;
  private final AtRestCipher cipher;
  private final int maxMessages;
  private final Map<String, LinkedHashMap<String, RecipientState>> messages = new LinkedHashMap<>();
  private final Map<NotificationId, Link> links = new HashMap<>();
  private final Map<String, List<NotificationId>> linksOfMessage = new HashMap<>();

  /** When each known message was first recorded (its submission), by Message-ID. */
  private final Map<String, Long> firstRecorded = new HashMap<>();

  /** Recipient states held in {@code messages}, kept as they change (a sum per append was O(n)). */
  private int liveStates;

  private FileChannel channel;
  private long records;
  private boolean unforced;

  private DeliveryLedger(Path file, AtRestCipher cipher, int maxMessages) {
    this.file = file;
    this.cipher = cipher;
    this.maxMessages = maxMessages;
  }

  static DeliveryLedger open(Path file, AtRestCipher cipher, int maxMessages) throws IOException {
    DeliveryLedger l = new DeliveryLedger(file, cipher, maxMessages);
    l.load();
    l.channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return l;
  }

  /**
   * The recipients' states of the message whose Message-ID is {@code messageId} (with or without
   * angle brackets), in the order they were given; empty if this account did not send it or it is
   * older than the ledger keeps.
   */
  public synchronized List<RecipientState> status(String messageId) {
    LinkedHashMap<String, RecipientState> m = messages.get(bracketed(messageId));
    return m == null ? List.of() : List.copyOf(m.values());
  }

  /** The Message-IDs known, newest last (for the status API's listing). */
  public synchronized List<String> messageIds() {
    return List.copyOf(messages.keySet());
  }

  /**
   * One sent message as the status page shows it.
   *
   * @param messageId the Message-ID, in angle brackets
   * @param submittedMillis wall time (epoch ms) the ledger first recorded it (its acceptance)
   * @param recipients the recipients' states, in the order they were given
   */
  public record Sent(String messageId, long submittedMillis, List<RecipientState> recipients) {
    public Sent {
      recipients = List.copyOf(recipients);
    }
  }

  /** The newest {@code max} messages this ledger keeps, newest first. */
  public synchronized List<Sent> recent(int max) {
    List<Sent> out = new ArrayList<>();
    List<String> ids = new ArrayList<>(messages.keySet());
    for (int i = ids.size() - 1; i >= 0 && out.size() < max; i--) {
      String id = ids.get(i);
      LinkedHashMap<String, RecipientState> m = messages.get(id);
      long first = firstRecorded.getOrDefault(id, 0L);
      out.add(new Sent(id, first, List.copyOf(m.values())));
    }
    return out;
  }

  /** Records a new state; a state never moves back (a late STORED after NOTIFIED is ignored). */
  synchronized void record(
      String messageId, String recipient, DeliveryState state, String reason, long nowMillis) {
    recordDeferred(messageId, recipient, state, reason, nowMillis);
    sync();
  }

  /** Records NOTIFIED with the notification's id, so its later states find the message. */
  synchronized void notified(
      String messageId, String recipient, NotificationId id, long nowMillis) {
    notifiedDeferred(messageId, recipient, id, nowMillis);
    sync();
  }

  /**
   * As {@link #record}, written but not forced: on disk for sure after the next {@link #sync}. For
   * a message the outbox still holds (a crash before the sync loses only this status line; the
   * outbox resumes the message).
   */
  synchronized void recordDeferred(
      String messageId, String recipient, DeliveryState state, String reason, long nowMillis) {
    apply(bracketed(messageId), recipient, state, reason, nowMillis, null);
    append(bracketed(messageId), recipient, state, reason, nowMillis, null);
  }

  /** As {@link #notified}, forced by the next {@link #sync}. */
  synchronized void notifiedDeferred(
      String messageId, String recipient, NotificationId id, long nowMillis) {
    apply(bracketed(messageId), recipient, DeliveryState.NOTIFIED, "", nowMillis, id);
    append(bracketed(messageId), recipient, DeliveryState.NOTIFIED, "", nowMillis, id);
  }

  /** Forces what was appended since the last force to disk; nothing to do if nothing was. */
  synchronized void sync() {
    if (!unforced) {
      return;
    }
    try {
      channel.force(false);
      unforced = false;
    } catch (IOException e) {
      LOG.log(Level.ERROR, "cannot force the delivery ledger " + file, e);
    }
  }

  /**
   * Applies a state change the notification service reported; returns the message and recipient it
   * belongs to, if this ledger knows the notification and the change is news.
   */
  synchronized Optional<Link> notificationChanged(NotificationStatus s, long nowMillis) {
    Link link = links.get(s.id());
    if (link == null) {
      return Optional.empty();
    }
    DeliveryState state =
        switch (s.state()) {
          case STORED -> DeliveryState.STORED;
          case NOTIFIED -> DeliveryState.NOTIFIED;
          case DELIVERED -> DeliveryState.DELIVERED;
          case FAILED -> DeliveryState.FAILED;
        };
    RecipientState before = current(link);
    if (before != null
        && (before.state().isFinal() || before.state().ordinal() >= state.ordinal())) {
      return Optional.empty();
    }
    String reason = s.failure() == null ? "" : reasonOf(s);
    record(link.messageId(), link.recipient(), state, reason, nowMillis);
    return Optional.of(link);
  }

  synchronized RecipientState current(Link link) {
    LinkedHashMap<String, RecipientState> m = messages.get(link.messageId());
    return m == null ? null : m.get(link.recipient());
  }

  private static String reasonOf(NotificationStatus s) {
    return switch (s.failure()) {
      case EXPIRED ->
          "the recipient did not collect the notification before the ring's retention ended";
      case REFUSED -> "the recipient's pending store refused the notification (full)";
      case UNREACHABLE -> "no majority of the recipient's pending store could be reached";
    };
  }

  private void apply(
      String messageId,
      String recipient,
      DeliveryState state,
      String reason,
      long millis,
      NotificationId id) {
    LinkedHashMap<String, RecipientState> m = messages.get(messageId);
    if (m == null) {
      m = new LinkedHashMap<>();
      messages.put(messageId, m);
      firstRecorded.put(messageId, millis);
      while (messages.size() > maxMessages) {
        String eldest = messages.keySet().iterator().next();
        liveStates -= messages.remove(eldest).size();
        firstRecorded.remove(eldest);
        for (NotificationId n : linksOfMessage.getOrDefault(eldest, List.of())) {
          links.remove(n);
        }
        linksOfMessage.remove(eldest);
      }
    }
    RecipientState before = m.get(recipient);
    boolean forward =
        before == null
            || (!before.state().isFinal()
                && (state == DeliveryState.FAILED || state.ordinal() >= before.state().ordinal()));
    if (forward && m.put(recipient, new RecipientState(recipient, state, reason, millis)) == null) {
      liveStates++;
    }
    if (id != null) {
      links.put(id, new Link(messageId, recipient));
      linksOfMessage.computeIfAbsent(messageId, k -> new ArrayList<>()).add(id);
    }
  }

  private void append(
      String messageId,
      String recipient,
      DeliveryState state,
      String reason,
      long millis,
      NotificationId id) {
    try {
      write(channel, encode(messageId, recipient, state, reason, millis, id));
      unforced = true;
      records++;
      if (records > 4L * liveStates + 1000) {
        compact();
      }
    } catch (IOException e) {
      // The state stays in memory; the status shows it until the daemon restarts.
      LOG.log(Level.ERROR, "cannot write the delivery ledger " + file, e);
    }
  }

  /**
   * Writes the live states into a new file that replaces this one atomically ({@link AtomicFiles}).
   */
  private void compact() throws IOException {
    Map<String, Map<String, NotificationId>> idOf = new HashMap<>();
    for (Map.Entry<NotificationId, Link> e : links.entrySet()) {
      idOf.computeIfAbsent(e.getValue().messageId(), k -> new HashMap<>())
          .put(e.getValue().recipient(), e.getKey());
    }
    long[] n = new long[1];
    AtomicFiles.replace(
        file,
        true,
        out -> {
          for (Map.Entry<String, LinkedHashMap<String, RecipientState>> m : messages.entrySet()) {
            // the first recipient as QUEUED at the submission time first, so a reload keeps it
            RecipientState head = m.getValue().values().iterator().next();
            long first = firstRecorded.getOrDefault(m.getKey(), head.changedAtMillis());
            write(out, encode(m.getKey(), head.recipient(), DeliveryState.QUEUED, "", first, null));
            n[0]++;
            for (RecipientState s : m.getValue().values()) {
              NotificationId id = idOf.getOrDefault(m.getKey(), Map.of()).get(s.recipient());
              write(
                  out,
                  encode(
                      m.getKey(), s.recipient(), s.state(), s.reason(), s.changedAtMillis(), id));
              n[0]++;
            }
          }
        });
    unforced = false;
    channel.close();
    channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    records = n[0];
  }

  private void write(FileChannel c, byte[] plain) throws IOException {
    byte[] sealed = cipher.seal(plain, AAD);
    ByteBuffer b = ByteBuffer.allocate(4 + sealed.length);
    b.putInt(sealed.length).put(sealed).flip();
    while (b.hasRemaining()) {
      c.write(b);
    }
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    byte[] all = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(all);
    long good = 0;
    while (b.remaining() >= 4) {
      int len = b.getInt();
      if (len <= 0 || len > MAX_RECORD + 64 || len > b.remaining()) {
        break;
      }
      byte[] sealed = new byte[len];
      b.get(sealed);
      try {
        decodeInto(cipher.open(sealed, AAD));
      } catch (IOException e) {
        break;
      }
      good = b.position();
      records++;
    }
    if (good < all.length) {
      // A torn last record (a crash while appending): cut it off; the states before it stand.
      LOG.log(Level.WARNING, "delivery ledger " + file + ": dropping a torn tail after " + good);
      try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
        c.truncate(good);
        c.force(true);
      }
    }
  }

  private static byte[] encode(
      String messageId,
      String recipient,
      DeliveryState state,
      String reason,
      long millis,
      NotificationId id) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(cut(messageId, 1000));
      out.writeUTF(cut(recipient, 300));
      out.writeByte(state.ordinal());
      out.writeUTF(cut(reason, 500));
      out.writeLong(millis);
      byte[] idBytes = id == null ? new byte[0] : id.toBytes();
      out.writeByte(idBytes.length);
      out.write(idBytes);
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory", e);
    }
    return bytes.toByteArray();
  }

  private void decodeInto(byte[] plain) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(plain))) {
      String messageId = in.readUTF();
      String recipient = in.readUTF();
      DeliveryState state = DeliveryState.values()[in.readUnsignedByte()];
      String reason = in.readUTF();
      long millis = in.readLong();
      int n = in.readUnsignedByte();
      NotificationId id = n == 0 ? null : NotificationId.of(in.readNBytes(n));
      apply(messageId, recipient, state, reason, millis, id);
    } catch (EOFException | RuntimeException e) {
      throw new IOException("damaged ledger record", e);
    }
  }

  private static String cut(String s, int max) {
    return s.length() > max ? s.substring(0, max) : s;
  }

  static String bracketed(String messageId) {
    String id = messageId.trim();
    return id.startsWith("<") ? id : "<" + id + ">";
  }

  @Override
  public synchronized void close() {
    sync();
    try {
      channel.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "closing the delivery ledger", e);
    }
  }
}
