package org.epost.mail.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailNotice;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.MessageRef;
import org.epost.post.api.NotificationFailure;
import org.epost.post.api.NotificationId;
import org.epost.post.api.NotificationState;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.StoreException;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sending side with a ring that can be switched away (test doubles for the ring and the
 * account; the real path is in RingMailTest): the outbox keeps what the ring did not take, across a
 * restart, encrypted and owner-only; permanent failures and expired notifications become delivery
 * status notifications in the sender's INBOX; the ledger follows every state.
 */
class SenderAccountTest {
  private static final String ALICE = "alice@ring.example";
  private static final String BOB = "bob@ring.example";

  @TempDir Path tmp;
  private final UserIdentity identity = UserIdentity.generate(new SecureRandom());
  private final FakeRing ring = new FakeRing();
  private final MemoryAccount account = new MemoryAccount();

  private SenderAccount open(SubmissionConfig config) throws IOException {
    return SenderAccount.open(
        account, identity, tmp, ring, SenderAccount.executor(ALICE), config, Clock.systemUTC());
  }

  private static SubmissionConfig fast() {
    return SubmissionConfig.defaults("node.ring.example")
        .withTimings(
            Duration.ofSeconds(2),
            Duration.ofMillis(50),
            Duration.ofMillis(200),
            Duration.ofDays(5));
  }

  private static InputStream message(String marker) {
    return new ByteArrayInputStream(
        ("From: " + ALICE + "\r\nSubject: t\r\nMessage-ID: <m@x>\r\n\r\n" + marker + "\r\n")
            .getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void whileTheRingIsAwayTheMessageWaitsEncryptedInTheOutboxAndARestartDrainsIt() throws Exception {
    ring.away.set(true);
    account.storeAway.set(true);
    SenderAccount first = open(fast());
    Dispatcher.Outcome outcome =
        first
            .accept(MailNotice.Origin.RING, ALICE, "<m1@x>", "", List.of(BOB), message("secret-1"))
            .get(5, TimeUnit.SECONDS);
    assertEquals(Dispatcher.Outcome.QUEUED, outcome);
    assertEquals(DeliveryState.QUEUED, first.ledger().status("<m1@x>").get(0).state());
    assertEquals(1, first.queued());

    Path outbox = tmp.resolve("submit").resolve("outbox");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox)));
    try (Stream<Path> files = Files.list(outbox)) {
      for (Path f : files.toList()) {
        assertFalse(
            new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains("secret-1"),
            f + " holds the message in clear");
      }
    }
    first.close();

    // The daemon restarts with the ring back: the outbox drains by itself.
    ring.away.set(false);
    account.storeAway.set(false);
    SenderAccount second = open(fast());
    await(() -> second.queued() == 0, 10);
    assertEquals(DeliveryState.NOTIFIED, second.ledger().status("m1@x").get(0).state());
    assertEquals(1, ring.sent.size());
    MailNotice sent = MailNotice.decode(ring.sent.get(0)[0], ring.sent.get(0)[1]);
    assertEquals("<m1@x>", sent.messageId());
    assertEquals(MailNotice.Origin.RING, sent.origin());
    assertTrue(
        new String(account.stored.get(sent.mail().ref()), StandardCharsets.US_ASCII)
            .contains("secret-1"));
    second.close();
  }

  @Test
  void aRecipientTheDirectoryDoesNotKnowFailsWithADeliveryStatusNotification() throws Exception {
    ring.unknown.add(BOB);
    SenderAccount s = open(fast());
    assertEquals(
        Dispatcher.Outcome.DONE,
        s.accept(MailNotice.Origin.RING, ALICE, "<m2@x>", "", List.of(BOB), message("x"))
            .get(5, TimeUnit.SECONDS));
    RecipientState state = s.ledger().status("<m2@x>").get(0);
    assertEquals(DeliveryState.FAILED, state.state());
    assertTrue(state.reason().startsWith("550 5.1.1"), state.reason());
    await(() -> account.inbox().size() == 1, 5);
    String dsn = account.inbox().get(0);
    assertTrue(dsn.contains("Content-Type: multipart/report; report-type=delivery-status"), dsn);
    assertTrue(dsn.contains("Final-Recipient: rfc822; " + BOB), dsn);
    assertTrue(dsn.contains("Status: 5.1.1"), dsn);
    assertTrue(dsn.contains("Message-ID: <m@x>"), "original headers quoted: " + dsn);
    assertEquals(0, s.queued());
    s.close();
  }

  @Test
  void aMessageTheRingRefusesForGoodIsRefusedToTheClient() throws Exception {
    account.tooLarge.set(true);
    SenderAccount s = open(fast());
    var f = s.accept(MailNotice.Origin.RING, ALICE, "<m3@x>", "", List.of(BOB), message("x"));
    var e =
        assertThrows(
            java.util.concurrent.ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
    assertEquals(SmtpStatus.MESSAGE_TOO_BIG, ((SubmissionException) e.getCause()).status());
    assertEquals(0, s.queued(), "nothing kept: the client was told");
    assertTrue(account.inbox().isEmpty(), "no report: the client got the refusal");
    s.close();
  }

  @Test
  void aRecipientUndeliveredPastTheLimitIsGivenUpWithAReport() throws Exception {
    ring.away.set(true);
    SenderAccount s =
        open(
            fast()
                .withTimings(
                    Duration.ofSeconds(1),
                    Duration.ofMillis(50),
                    Duration.ofMillis(100),
                    Duration.ofMillis(600)));
    s.accept(MailNotice.Origin.RING, ALICE, "<m4@x>", "", List.of(BOB), message("x"));
    await(() -> s.queued() == 0, 10);
    RecipientState state = s.ledger().status("<m4@x>").get(0);
    assertEquals(DeliveryState.FAILED, state.state());
    assertTrue(state.reason().contains("Not delivered to the ring within"), state.reason());
    await(() -> account.inbox().size() == 1, 5);
    s.close();
  }

  @Test
  void notificationStatesReachTheLedgerAndAnExpiryFilesAReport() throws Exception {
    SenderAccount s = open(fast().withFileSentCopy(true));
    s.accept(MailNotice.Origin.RING, ALICE, "<m5@x>", "", List.of(BOB), message("x"))
        .get(5, TimeUnit.SECONDS);
    NotificationId id = ring.ids.get(0);
    s.stateChanged(new NotificationStatus(id, BOB, NotificationState.DELIVERED, null, 3, 1L, 2L));
    await(() -> s.ledger().status("<m5@x>").get(0).state() == DeliveryState.DELIVERED, 5);
    assertEquals(
        1, account.folders.getOrDefault("Sent", List.of()).size(), "Sent copy switched on");

    s.accept(MailNotice.Origin.RING, ALICE, "<m6@x>", "", List.of(BOB), message("y"))
        .get(5, TimeUnit.SECONDS);
    s.stateChanged(
        new NotificationStatus(
            ring.ids.get(1), BOB, NotificationState.FAILED, NotificationFailure.EXPIRED, 3, 1, 2));
    await(() -> s.ledger().status("<m6@x>").get(0).state() == DeliveryState.FAILED, 5);
    await(() -> account.inbox().size() == 1, 5);
    assertTrue(account.inbox().get(0).contains("Final-Recipient: rfc822; " + BOB));
    s.close();

    SenderAccount reopened = open(fast());
    assertEquals(DeliveryState.DELIVERED, reopened.ledger().status("<m5@x>").get(0).state());
    assertEquals(DeliveryState.FAILED, reopened.ledger().status("<m6@x>").get(0).state());
    reopened.close();
  }

  /**
   * The dispatcher forces the ledger once per message (before the outbox lets go of it, or when it
   * waits for a retry) rather than once per state: what it wrote is on disk at those points, read
   * back here from the file while the account still runs (as after a crash).
   */
  @Test
  void aMessagesStatesAreOnDiskWhenTheOutboxLetsGoOfItAndWhenItWaitsForTheRing() throws Exception {
    SenderAccount s = open(fast());
    assertEquals(
        Dispatcher.Outcome.DONE,
        s.accept(MailNotice.Origin.RING, ALICE, "<m7@x>", "", List.of(BOB), message("x"))
            .get(5, TimeUnit.SECONDS));
    await(() -> s.queued() == 0, 5); // "250" comes first, the removal right after it
    assertEquals(DeliveryState.NOTIFIED, ledgerOnDisk().status("<m7@x>").get(0).state());

    ring.away.set(true);
    assertEquals(
        Dispatcher.Outcome.QUEUED,
        s.accept(MailNotice.Origin.RING, ALICE, "<m8@x>", "", List.of(BOB), message("y"))
            .get(5, TimeUnit.SECONDS));
    assertEquals(DeliveryState.STORED, ledgerOnDisk().status("<m8@x>").get(0).state());
    int stores = account.stored.size();
    s.close();

    // After a restart the waiting entry is notified with the message it stored: no second store.
    ring.away.set(false);
    SenderAccount again = open(fast());
    await(() -> again.queued() == 0, 10);
    assertEquals(DeliveryState.NOTIFIED, ledgerOnDisk().status("<m8@x>").get(0).state());
    assertEquals(stores, account.stored.size());
    again.close();
  }

  private DeliveryLedger ledgerOnDisk() throws IOException {
    return DeliveryLedger.open(
        tmp.resolve("submit").resolve("ledger.log"),
        AtRestCipher.forIdentity(identity, "ledger", new SecureRandom()),
        100);
  }

  @Test
  void theSubmissionBackendRefusesAnotherUsersSenderWith553() throws Exception {
    SenderAccount s = open(fast());
    var backend = SubmissionBackends.submission(List.of(s));
    SubmissionException e =
        assertThrows(SubmissionException.class, () -> backend.checkSender(BOB, ALICE));
    assertEquals(553, e.status().code());
    assertEquals("5.7.1", e.status().enhancedCode());
    assertThrows(SubmissionException.class, () -> backend.checkSender("", ALICE));
    backend.checkSender("Alice@Ring.Example", ALICE);
    s.close();
  }

  private static void await(BooleanSupplier c, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("not within " + seconds + " s");
      }
      Thread.sleep(20);
    }
  }

  /**
   * The client's "250" comes as soon as the ring holds the message and the notification is durable:
   * it does not wait for the outbox to let go of the entry (a ledger force and a directory force).
   * The outbox thread is held while the message is accepted, so the reply's callback is in place
   * before the dispatcher runs; it sees the entry still in the outbox, which is removed right
   * after.
   */
  @Test
  void theReplyDoesNotWaitForTheOutboxToLetGoOfTheEntry() throws Exception {
    var exec = SenderAccount.executor(ALICE);
    java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
    exec.execute(
        () -> {
          try {
            hold.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    SenderAccount s =
        SenderAccount.open(account, identity, tmp, ring, exec, fast(), Clock.systemUTC());
    var f = s.accept(MailNotice.Origin.RING, ALICE, "<m9@x>", "", List.of(BOB), message("x"));
    java.util.concurrent.atomic.AtomicInteger queuedAtReply =
        new java.util.concurrent.atomic.AtomicInteger(-1);
    var replied = f.whenComplete((v, t) -> queuedAtReply.set(s.queued()));
    hold.countDown();
    assertEquals(Dispatcher.Outcome.DONE, replied.get(5, TimeUnit.SECONDS));
    assertEquals(1, queuedAtReply.get(), "the entry was still in the outbox at the reply");
    await(() -> s.queued() == 0, 5);
    assertEquals(DeliveryState.NOTIFIED, ledgerOnDisk().status("<m9@x>").get(0).state());
    s.close();
  }

  /** The ring as the dispatcher sees it, switchable away. */
  static final class FakeRing implements RingAccess {
    final AtomicBoolean away = new AtomicBoolean();
    final Set<String> unknown = ConcurrentHashMap.newKeySet();
    final List<byte[][]> sent = new CopyOnWriteArrayList<>();
    final List<NotificationId> ids = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<UserCertificate> certificate(String address) {
      if (away.get()) {
        return CompletableFuture.failedFuture(
            new DirectoryException.Unavailable(address, "ring away"));
      }
      if (unknown.contains(address)) {
        return CompletableFuture.failedFuture(
            new DirectoryException.NoSuchUser(address, "no entry"));
      }
      return CompletableFuture.completedFuture(null); // the fake notify ignores it
    }

    @Override
    public CompletableFuture<NotificationId> notify(
        UserCertificate recipient, byte[] reference, byte[] summary) {
      byte[] b = new byte[16];
      new SecureRandom().nextBytes(b);
      NotificationId id = NotificationId.of(b);
      sent.add(new byte[][] {reference, summary});
      ids.add(id);
      return CompletableFuture.completedFuture(id);
    }
  }

  /** A mail account in memory. */
  static final class MemoryAccount implements MailAccount {
    final AtomicBoolean storeAway = new AtomicBoolean();
    final AtomicBoolean tooLarge = new AtomicBoolean();
    final Map<MessageRef, byte[]> stored = new ConcurrentHashMap<>();
    final Map<String, List<MessageRef>> folders = new ConcurrentHashMap<>();

    @Override
    public String address() {
      return ALICE;
    }

    @Override
    public CompletionStage<StoredMail> store(InputStream rfc5322) {
      if (storeAway.get()) {
        return CompletableFuture.failedFuture(
            new MailException(MailException.Kind.UNAVAILABLE, "ring away"));
      }
      if (tooLarge.get()) {
        return CompletableFuture.failedFuture(
            new StoreException.MessageTooLargeException("too large", 10));
      }
      try {
        byte[] bytes = rfc5322.readAllBytes();
        MessageRef ref =
            new MessageRef(
                new ContentKey(
                    BlockId.of(bytes), new byte[32], ContentKey.Kind.DATA, bytes.length));
        stored.put(ref, bytes);
        return CompletableFuture.completedFuture(
            new StoredMail(ref, bytes.length, new byte[] {7}, 0));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public CompletionStage<Long> file(
        String folder, StoredMail mail, byte[] addedHeader, Set<String> flags) {
      List<MessageRef> f = folders.computeIfAbsent(folder, k -> new CopyOnWriteArrayList<>());
      f.add(mail.ref());
      return CompletableFuture.completedFuture((long) f.size());
    }

    List<String> inbox() {
      return folders.getOrDefault("INBOX", List.of()).stream()
          .map(r -> new String(stored.get(r), StandardCharsets.UTF_8))
          .toList();
    }

    @Override
    public UserSession openSession() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
  }
}
