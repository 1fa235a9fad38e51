package org.epost.mail.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.imap.api.MessageRecord;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailNotice;
import org.epost.mail.api.StoredMail;
import org.epost.mail.mailbox.MailAccounts;
import org.epost.mail.mailbox.MailboxConfig;
import org.epost.mail.mailbox.PostAccount;
import org.epost.mail.submit.DeliveryState;
import org.epost.mail.submit.RecipientState;
import org.epost.mail.submit.SenderAccount;
import org.epost.mail.submit.SmtpWiring;
import org.epost.mail.submit.SubmissionBackends;
import org.epost.mail.submit.SubmissionConfig;
import org.epost.mail.testing.LoopbackRing;
import org.epost.post.api.NotificationListener;
import org.epost.post.api.NotificationStatus;
import org.epost.post.api.ReceivedNotification;
import org.epost.post.api.StoreStatistics;
import org.epost.post.directory.Enrolment;
import org.epost.post.node.PostNode;
import org.epost.smtp.SmtpProxy;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.SmtpServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail between ring users and in from the Internet through the real path: five node runtimes on
 * loopback with PostNode, users enrolled in the directory, the SMTP proxy on the submit package's
 * backends driven by swaks, delivery into INBOX by {@link InboxDelivery} through {@link
 * AccountListener}.
 *
 * <p>The accounts are the product's {@link PostAccount} ({@link MailAccounts#openAccount}); what a
 * user finds in INBOX or Sent is read through it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RingMailTest {
  private static final String DOMAIN = "ring.example";
  private static final String ALICE = "alice@" + DOMAIN;
  private static final String BOB = "bob@" + DOMAIN;
  private static final String GATEWAY = "gateway@" + DOMAIN;
  private static final String SWAKS = "/usr/bin/swaks";

  @TempDir static Path tmp;
  private LoopbackRing ring;
  private final List<AutoCloseable> closing = new ArrayList<>();
  private User alice;
  private User bob;
  private User gateway;
  private SmtpProxy submission;
  private SmtpProxy gatewayProxy;

  private record User(
      AccountServices services, PostAccount account, SenderAccount sender, InboxDelivery inbox) {}

  @BeforeAll
  void startRing() throws Exception {
    ring = LoopbackRing.start(tmp, 5);
    alice = user(0, ALICE);
    bob = user(1, BOB);
    gateway = user(2, GATEWAY);
    submission =
        SmtpProxy.start(
            SmtpServerConfig.submission(
                Set.of(DOMAIN), PasswordVerifier.ofTable(Map.of(ALICE, "alice-pw", BOB, "bob-pw"))),
            SubmissionBackends.submission(List.of(alice.sender(), bob.sender())),
            Optional.empty());
    gatewayProxy =
        SmtpProxy.start(
            SmtpWiring.gateway(
                Set.of(DOMAIN),
                InetAddress.getLoopbackAddress(),
                0,
                "gw.ring.example",
                SmtpWiring.GatewayLimits.defaults()),
            SubmissionBackends.gateway(gateway.sender()),
            Optional.empty());
  }

  private User user(int node, String address) throws Exception {
    AccountListener listener = new AccountListener(address, 100);
    LoopbackRing.User enrolled = ring.enrol(address, node, listener);
    AccountServices services = ring.services(enrolled);
    PostAccount account =
        MailAccounts.openAccount(services, MailboxConfig.defaults(LoopbackRing.DEVICE))
            .toCompletableFuture()
            .get(LoopbackRing.WAIT_SECONDS, TimeUnit.SECONDS);
    SenderAccount sender =
        SenderAccount.open(account, services, SubmissionConfig.defaults("node.ring.example"));
    InboxDelivery inbox =
        InboxDelivery.create(account, services, DeliveryConfig.defaults(DOMAIN, Set.of(GATEWAY)));
    NotificationListener delivery =
        new NotificationListener() {
          @Override
          public CompletionStage<Void> received(ReceivedNotification n) {
            return inbox.deliver(n);
          }

          @Override
          public void stateChanged(NotificationStatus status) {
            sender.stateChanged(status);
          }
        };
    services
        .bridge()
        .get(
            () -> {
              listener.install(delivery); // AccountListener is loop-confined
              return null;
            },
            Runnable::run)
        .get(LoopbackRing.WAIT_SECONDS, TimeUnit.SECONDS);
    closing.add(inbox);
    closing.add(sender);
    closing.add(account);
    return new User(services, account, sender, inbox);
  }

  @AfterAll
  void stop() throws Exception {
    if (submission != null) {
      submission.close();
    }
    if (gatewayProxy != null) {
      gatewayProxy.close();
    }
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (ring != null) {
      ring.close();
    }
  }

  @Test
  void aSubmittedMessageReachesTheRecipientsInboxWithAuthenticationResults() throws Exception {
    String out = aliceSendsBob("ring mail", "marker-ring-1");
    Matcher m = Pattern.compile("250 2\\.0\\.0 Ok: message (<[^>]+>) stored").matcher(out);
    assertTrue(m.find(), out);
    String messageId = m.group(1);

    PostAccount.Message filed = awaitInbox(bob, "marker-ring-1");
    String added = new String(filed.addedHeader(), StandardCharsets.UTF_8);
    assertTrue(added.startsWith("Authentication-Results: " + DOMAIN + ";"), added);
    assertTrue(added.contains("x-epost-ring=pass"), added);
    assertTrue(added.contains("smtp.mailfrom=" + ALICE), added);
    assertTrue(added.contains("x-epost-from=pass header.from=" + ALICE), added);
    assertTrue(added.contains("Received: from " + ALICE + " by " + DOMAIN), added);

    // "250" came after the ring took it: the ledger says NOTIFIED at least, then DELIVERED.
    List<RecipientState> states = alice.sender().ledger().status(messageId);
    assertEquals(1, states.size(), "" + states);
    assertTrue(states.get(0).state().ordinal() >= DeliveryState.NOTIFIED.ordinal(), "" + states);
    await(
        () -> alice.sender().ledger().status(messageId).get(0).state() == DeliveryState.DELIVERED,
        30);
    assertEquals(0, alice.sender().queued(), "nothing left in the outbox");
    assertTrue(filed(alice, "Sent").isEmpty(), "no Sent copy by default (ADR 0115)");
  }

  @Test
  void aSmallMessageIsTwoBlocksOnTheRingAndTheRecipientFetchesThemOnce() throws Exception {
    // A 4.7 KB message, as in the submission benchmark: it is its message block and one
    // STRUCTURE part holding its layout and bytes (ADR 0147), not four blocks; bob's node fetches
    // each once to check the sender, file, cache and index it.
    String body = "marker-small-5 " + "0123456789abcdef ".repeat(270);
    int before = filed(bob, "INBOX").size();
    long inserted = storeStatistics(alice).blocksInserted();
    long fetched = storeStatistics(bob).blocksFetched();
    String out = aliceSendsBob("small", body);
    assertTrue(out.contains("250 2.0.0 Ok: message"), out);
    assertEquals(2, storeStatistics(alice).blocksInserted() - inserted, "blocks stored");
    await(() -> filed(bob, "INBOX").size() > before, 60);
    Thread.sleep(3000); // the background caching and indexing of the new message
    assertEquals(2, storeStatistics(bob).blocksFetched() - fetched, "blocks bob fetched");
    PostAccount.Message filed = awaitInbox(bob, "marker-small-5");
    String added = new String(filed.addedHeader(), StandardCharsets.UTF_8);
    assertTrue(added.contains("x-epost-from=pass header.from=" + ALICE), added);
    String copy = body(bob, filed);
    assertTrue(copy.contains("Subject: small\r\n"), copy);
    assertTrue(copy.contains(body), "the body reads back whole");
    assertEquals(2, storeStatistics(bob).blocksFetched() - fetched, "read from the cache");
  }

  private static StoreStatistics storeStatistics(User user) {
    try {
      return user.services()
          .bridge()
          .get(() -> user.services().post().store().statistics(), Runnable::run)
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void aFromHeaderNamingAnotherAddressIsMarkedFail() throws Exception {
    swaks(
        submission,
        "--auth",
        "PLAIN",
        "--auth-user",
        ALICE,
        "--auth-password",
        "alice-pw",
        "--from",
        ALICE,
        "--to",
        BOB,
        "--header",
        "From: The CEO <ceo@ring.example>",
        "--body",
        "marker-posing-2");
    String added =
        new String(awaitInbox(bob, "marker-posing-2").addedHeader(), StandardCharsets.UTF_8);
    assertTrue(added.contains("x-epost-ring=pass"), added);
    assertTrue(added.contains("x-epost-from=fail"), added);
    assertTrue(added.contains("header.from=ceo@ring.example"), added);
  }

  @Test
  void mailFromAnotherUsersAddressIsRefusedWith553() throws Exception {
    String out =
        swaks(
            submission,
            "--auth",
            "PLAIN",
            "--auth-user",
            ALICE,
            "--auth-password",
            "alice-pw",
            "--from",
            BOB,
            "--to",
            BOB,
            "--body",
            "marker-spoof-3");
    assertTrue(out.contains("553 5.7.1"), out);
    Thread.sleep(1_000);
    assertTrue(
        filed(bob, "INBOX").stream().noneMatch(f -> body(bob, f).contains("marker-spoof-3")));
  }

  @Test
  void aRecipientNotInTheDirectoryIsRefusedWith550() throws Exception {
    String out =
        swaks(
            submission,
            "--auth",
            "PLAIN",
            "--auth-user",
            ALICE,
            "--auth-password",
            "alice-pw",
            "--from",
            ALICE,
            "--to",
            "nobody@" + DOMAIN,
            "--body",
            "x");
    assertTrue(out.contains("550 5.1.1"), out);
  }

  @Test
  void aForgedSenderNeverReachesTheInbox() throws Exception {
    // Mallory, on node 3, holds a certificate for alice's address from a rogue authority, with
    // her own keys, and notifies bob of a message: bob's node checks the sender against the
    // ring's directory, where alice's certificate names another key.
    UserIdentity mallory = Enrolment.generate(new SecureRandom());
    UserCertificate rogue =
        UserCertificate.issue(
            SigningKeyPair.generate(new SecureRandom()),
            alice.services().certificate().serial(),
            ALICE,
            mallory.signing().publicKey(),
            mallory.encryption().publicKey(),
            Instant.now().minusSeconds(60),
            Instant.now().plusSeconds(86_400));
    PostNode.User forger = ring.attach(3, mallory, rogue, new AccountListener("mallory", 10));
    StoredMail real =
        alice
            .account()
            .store(
                new ByteArrayInputStream(
                    "From: alice@ring.example\r\nSubject: forged\r\n\r\nmarker-forged-4\r\n"
                        .getBytes(StandardCharsets.US_ASCII)))
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    MailNotice notice = new MailNotice(real, MailNotice.Origin.RING, ALICE, "", "<forged@x>");
    long rejectedBefore = bobStatistics().rejectedSender();
    ring.node(3)
        .runtime()
        .bridge()
        .call(
            () ->
                forger
                    .notifications()
                    .send(bob.services().certificate(), notice.reference(), notice.summary()),
            Runnable::run)
        .get(60, TimeUnit.SECONDS);
    await(() -> bobStatistics().rejectedSender() > rejectedBefore, 30);
    Thread.sleep(1_000);
    assertTrue(
        filed(bob, "INBOX").stream().noneMatch(f -> f.mail().ref().equals(real.ref())),
        "the forged notification's message is not in bob's INBOX");
  }

  @Test
  void internetMailThroughTheGatewayIsFiledAsUnauthenticated() throws Exception {
    String out =
        swaks(
            gatewayProxy,
            "--from",
            "someone@internet.example",
            "--to",
            BOB,
            "--header",
            "Subject: from outside",
            "--body",
            "marker-internet-5");
    assertTrue(out.contains("250 2.0.0"), out);
    String added =
        new String(awaitInbox(bob, "marker-internet-5").addedHeader(), StandardCharsets.UTF_8);
    assertTrue(added.startsWith("Authentication-Results: " + DOMAIN + "; none"), added);
    assertTrue(
        added.contains("from the Internet unauthenticated by ring gateway " + GATEWAY), added);
    assertTrue(!added.contains("x-epost-ring=pass"), added);
  }

  @Test
  void theGatewayIsNotAnOpenRelay() throws Exception {
    String other =
        swaks(
            gatewayProxy, "--from", "someone@internet.example", "--to", "victim@elsewhere.example");
    assertTrue(other.contains("550 5.7.1"), other);
    String unknown =
        swaks(gatewayProxy, "--from", "someone@internet.example", "--to", "nobody@" + DOMAIN);
    assertTrue(unknown.contains("550 5.1.1"), unknown);
  }

  private PostNodeStats bobStatistics() {
    try {
      var s =
          bob.services()
              .bridge()
              .get(() -> bob.services().post().notifications().statistics(), Runnable::run)
              .get(10, TimeUnit.SECONDS);
      return new PostNodeStats(s.rejectedSender());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private record PostNodeStats(long rejectedSender) {}

  /** What the user finds in {@code folder} now, read through the account. */
  private static List<PostAccount.Message> filed(User user, String folder) {
    PostAccount a = user.account();
    return a.messages(folder, a.view(folder).messages().stream().map(MessageRecord::uid).toList());
  }

  private PostAccount.Message awaitInbox(User user, String marker) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      for (PostAccount.Message f : filed(user, "INBOX")) {
        if (body(user, f).contains(marker)) {
          return f;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no message with " + marker + " in " + user.account().address());
  }

  /** The copy as the user reads it (added header lines, then the stored message). */
  private static String body(User user, PostAccount.Message m) {
    try (InputStream in = user.account().read(m, 0, Long.MAX_VALUE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (Exception e) {
      return "";
    }
  }

  private static void await(BooleanSupplier condition, int seconds) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + seconds + " s");
      }
      Thread.sleep(100);
    }
  }

  /** Alice submits a message to Bob at the submission proxy, authenticated; swaks's output. */
  private String aliceSendsBob(String subject, String body) throws Exception {
    return swaks(
        submission,
        "--auth",
        "PLAIN",
        "--auth-user",
        ALICE,
        "--auth-password",
        "alice-pw",
        "--from",
        ALICE,
        "--to",
        BOB,
        "--header",
        "Subject: " + subject,
        "--body",
        body);
  }

  private static String swaks(SmtpProxy proxy, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(SWAKS);
    cmd.add("--server");
    cmd.add("127.0.0.1:" + proxy.address().getPort());
    cmd.add("--timeout");
    cmd.add("90");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "swaks finished");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertNotEquals(null, out);
    return out;
  }
}
