package org.epost.crypto.seal;

import static org.epost.crypto.testing.TestBytes.flip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.VerificationException;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.api.Test;

class SealerTest {
  private static final Instant NOW = Instant.parse("2030-05-01T12:00:00Z");
  private final Sealer sealer = new Sealer(TestBytes.seeded(1));
  private final UserIdentity alice = UserIdentity.generate(TestBytes.seeded(2));
  private final UserIdentity bob = UserIdentity.generate(TestBytes.seeded(3));
  private final UserIdentity carol = UserIdentity.generate(TestBytes.seeded(4));
  private final byte[] note = "block key + message id".getBytes(StandardCharsets.UTF_8);

  @Test
  void recipientLearnsSenderTimeAndPayload() throws Exception {
    byte[] env = sealer.seal(alice.signing(), bob.encryption().publicKey(), NOW, note);
    OpenedEnvelope o = Sealer.open(bob.encryption(), env);
    assertEquals(alice.signing().publicKey(), o.sender());
    assertEquals(NOW, o.timestamp());
    assertArrayEquals(note, o.payload());
    assertEquals(Sealer.NONCE_LENGTH, o.nonce().length);
  }

  @Test
  void senderIdentityIsNotVisibleInTheEnvelope() {
    byte[] env = sealer.seal(alice.signing(), bob.encryption().publicKey(), NOW, note);
    byte[] key = alice.signing().publicKey().toBytes();
    for (int i = 0; i + key.length <= env.length; i++) {
      assertTrue(!java.util.Arrays.equals(env, i, i + key.length, key, 0, key.length));
    }
  }

  @Test
  void wrongRecipientCannotOpen() {
    byte[] env = sealer.seal(alice.signing(), bob.encryption().publicKey(), NOW, note);
    assertThrows(VerificationException.class, () -> Sealer.open(carol.encryption(), env));
  }

  @Test
  void everyBitFlipIsDetected() {
    byte[] env = sealer.seal(alice.signing(), bob.encryption().publicKey(), NOW, note);
    for (int bit = 0; bit < env.length * 8; bit++) {
      try {
        Sealer.open(bob.encryption(), flip(env, bit));
        fail("bit " + bit + " flipped undetected");
      } catch (CryptoException expected) {
        // detected
      }
    }
  }

  @Test
  void replayIsDetected() throws Exception {
    ReplayDetector replays = new ReplayDetector(Duration.ofHours(1), Duration.ofMinutes(5), 1000);
    byte[] env = sealer.seal(alice.signing(), bob.encryption().publicKey(), NOW, note);
    replays.check(Sealer.open(bob.encryption(), env), NOW.plusSeconds(1));
    VerificationException e =
        assertThrows(
            VerificationException.class,
            () -> replays.check(Sealer.open(bob.encryption(), env), NOW.plusSeconds(2)));
    assertTrue(e.getMessage().contains("replay"));
    // the same payload sealed again is a new message
    replays.check(
        Sealer.open(
            bob.encryption(),
            sealer.seal(alice.signing(), bob.encryption().publicKey(), NOW, note)),
        NOW);
  }

  @Test
  void staleAndFutureMessagesAreRejected() throws Exception {
    ReplayDetector replays = new ReplayDetector(Duration.ofHours(1), Duration.ofMinutes(5), 10);
    OpenedEnvelope old =
        Sealer.open(
            bob.encryption(),
            sealer.seal(
                alice.signing(),
                bob.encryption().publicKey(),
                NOW.minus(Duration.ofHours(2)),
                note));
    assertThrows(VerificationException.class, () -> replays.check(old, NOW));
    OpenedEnvelope future =
        Sealer.open(
            bob.encryption(),
            sealer.seal(
                alice.signing(),
                bob.encryption().publicKey(),
                NOW.plus(Duration.ofMinutes(10)),
                note));
    assertThrows(VerificationException.class, () -> replays.check(future, NOW));
  }

  /** A flood of distinct messages cannot grow memory, and no replay slips through afterwards. */
  @Test
  void boundedMemoryUnderFloodStillRejectsEveryReplay() throws Exception {
    int capacity = 64;
    ReplayDetector replays =
        new ReplayDetector(Duration.ofHours(1), Duration.ofMinutes(5), capacity);
    OpenedEnvelope[] seen = new OpenedEnvelope[2000];
    Set<Integer> accepted = new HashSet<>();
    for (int i = 0; i < seen.length; i++) {
      seen[i] =
          new OpenedEnvelope(
              alice.signing().publicKey(), NOW.plusMillis(i), TestBytes.random(16, i), note);
      replays.check(seen[i], NOW.plusSeconds(3));
      accepted.add(i);
      assertTrue(replays.size() <= capacity);
    }
    for (OpenedEnvelope m : seen) {
      assertThrows(VerificationException.class, () -> replays.check(m, NOW.plusSeconds(3)));
    }
    assertEquals(seen.length, accepted.size());
  }
}
