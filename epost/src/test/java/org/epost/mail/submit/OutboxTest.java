package org.epost.mail.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.epost.crypto.api.UserIdentity;
import org.epost.mail.api.MailNotice;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox's files: crash leftovers, damage, bounds, permissions, another user's key. */
class OutboxTest {
  @TempDir Path tmp;
  private final SecureRandom random = new SecureRandom();
  private final UserIdentity identity = UserIdentity.generate(random);

  private Outbox open(UserIdentity who, int max) throws IOException {
    return Outbox.open(
        tmp.resolve("outbox"),
        AtRestCipher.forIdentity(who, "outbox", random),
        max,
        1L << 30,
        random);
  }

  private OutboxEntry add(Outbox o, byte[] message) throws SubmissionException {
    return o.add(
        MailNotice.Origin.RING,
        "alice@ring.example",
        "<m@x>",
        "",
        List.of("bob@ring.example"),
        1L,
        new ByteArrayInputStream(message));
  }

  @Test
  void aMessageComesBackByteForByteAfterReopening() throws Exception {
    byte[] big = new byte[200_000]; // several chunks
    random.nextBytes(big);
    Outbox o = open(identity, 10);
    OutboxEntry e = add(o, big);
    Outbox again = open(identity, 10);
    assertEquals(1, again.size());
    try (var in = again.openMessage(again.entries().get(0))) {
      assertTrue(java.util.Arrays.equals(big, in.readAllBytes()));
    }
    assertEquals(e.id, again.entries().get(0).id);
  }

  @Test
  void anAcceptedMessageIsOneFileWithItsStateAndALaterStateOverridesIt() throws Exception {
    // One file written and forced per accepted message (ADR 0148), not a message file and a
    // state file each forced.
    Outbox o = open(identity, 10);
    OutboxEntry e = add(o, "Subject: one\r\n\r\nbody\r\n".getBytes());
    Path dir = tmp.resolve("outbox");
    try (var files = Files.list(dir)) {
      assertEquals(List.of(e.id + ".out"), files.map(f -> f.getFileName().toString()).toList());
    }
    // progress saved while the entry waits wins over the copy in the message file
    e.recipients.get(0).progress = OutboxEntry.Progress.NOTIFIED;
    o.save(e);
    Outbox again = open(identity, 10);
    assertEquals(OutboxEntry.Progress.NOTIFIED, again.entries().get(0).recipients.get(0).progress);
    try (var in = again.openMessage(again.entries().get(0))) {
      assertEquals("Subject: one\r\n\r\nbody\r\n", new String(in.readAllBytes()));
    }
    // a removal that stopped after its commit point (the message file gone) finishes at open
    Files.delete(dir.resolve(e.id + ".out"));
    Outbox third = open(identity, 10);
    assertEquals(0, third.size());
    assertFalse(Files.exists(dir.resolve(e.id + ".state")));
  }

  @Test
  void anOutboxWrittenBeforeOneFilePerMessageStillDrains() throws Exception {
    AtRestCipher cipher = AtRestCipher.forIdentity(identity, "outbox", random);
    Path dir = tmp.resolve("outbox");
    Outbox.ownerOnlyDirectory(dir);
    String id = "old-1";
    var out = new java.io.ByteArrayOutputStream();
    long size =
        cipher.encrypt(
            new ByteArrayInputStream("old message".getBytes()),
            out,
            "outbox/old-1/msg".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.write(dir.resolve(id + ".msg"), out.toByteArray());
    OutboxEntry e =
        new OutboxEntry(
            id,
            1L,
            MailNotice.Origin.RING,
            "alice@ring.example",
            "<old@x>",
            "",
            List.of(
                new OutboxEntry.Recipient("bob@ring.example", OutboxEntry.Progress.PENDING, "")),
            size);
    Files.write(
        dir.resolve(id + ".state"),
        cipher.seal(
            e.encode(), "outbox/old-1/state".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    Outbox o = open(identity, 10);
    assertEquals(1, o.size());
    OutboxEntry loaded = o.entries().get(0);
    try (var in = o.openMessage(loaded)) {
      assertEquals("old message", new String(in.readAllBytes()));
    }
    o.remove(loaded);
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void leftoversOfACrashedAddAreRemovedAndDamageIsSetAside() throws Exception {
    Outbox o = open(identity, 10);
    OutboxEntry e = add(o, "x".getBytes());
    Path dir = tmp.resolve("outbox");
    Files.write(dir.resolve("zz.msg.tmp"), new byte[10]);
    Files.write(dir.resolve("orphan.msg"), new byte[10]);
    Outbox other = open(UserIdentity.generate(random), 10); // another key: the state does not open
    assertEquals(0, other.size());
    assertFalse(Files.exists(dir.resolve("zz.msg.tmp")));
    assertFalse(Files.exists(dir.resolve("orphan.msg")));
    assertTrue(Files.exists(dir.resolve(e.id + ".damaged")), "kept aside for inspection");
  }

  @Test
  void aFullOutboxRefusesWith452AndAnOpenDirectoryIsRefused() throws Exception {
    Outbox o = open(identity, 1);
    add(o, "a".getBytes());
    SubmissionException full =
        assertThrows(SubmissionException.class, () -> add(o, "b".getBytes()));
    assertEquals(SmtpStatus.INSUFFICIENT_STORAGE, full.status());

    Path open = tmp.resolve("open");
    Files.createDirectories(open);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                Outbox.open(
                    open, AtRestCipher.forIdentity(identity, "outbox", random), 1, 1, random));
    assertTrue(e.getMessage().contains("chmod 700"), e.getMessage());
  }

  @Test
  void aTruncatedMessageFileFailsToOpen() throws Exception {
    byte[] big = new byte[150_000];
    Outbox o = open(identity, 10);
    OutboxEntry e = add(o, big);
    Path msg = tmp.resolve("outbox").resolve(e.id + ".out");
    byte[] all = Files.readAllBytes(msg);
    Files.write(msg, java.util.Arrays.copyOf(all, all.length - 70_000));
    assertThrows(
        IOException.class,
        () -> {
          try (var in = o.openMessage(e)) {
            in.readAllBytes();
          }
        });
  }
}
