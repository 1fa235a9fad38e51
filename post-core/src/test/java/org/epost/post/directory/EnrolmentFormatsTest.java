package org.epost.post.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.UserIdentity;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.MailAddress;
import org.junit.jupiter.api.Test;

/** Address normalisation, certificate requests and the authority's checks, without a ring. */
class EnrolmentFormatsTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void addressesAreNormalisedAndBounded() {
    assertEquals("alice@example.org", MailAddress.parse("Alice@EXAMPLE.Org").value());
    assertEquals("jörg@xn--bcher-kva.example", MailAddress.parse("Jörg@Bücher.example").value());
    assertEquals(
        MailAddress.parse("j\u006f\u0308rg@x.example"), MailAddress.parse("j\u00f6rg@x.example"));
    assertEquals("a.b+tag@x.example", MailAddress.parse("a.b+tag@x.example").value());
    String local64 = "a".repeat(64);
    assertEquals(local64 + "@x.example", MailAddress.parse(local64 + "@x.example").value());
    for (String bad :
        new String[] {
          "a".repeat(65) + "@x.example",
          "alice@" + "a".repeat(64) + ".example",
          "a".repeat(60) + "@" + ("b".repeat(60) + ".").repeat(3) + "c".repeat(20),
          "alice",
          "alice@bob@x.example",
          "@x.example",
          "alice@",
          "al\u0000ice@x.example",
          "al\u0085ice@x.example",
          "alice@x.exa\tmple",
          "al ice@x.example",
          "\"al ice\"@x.example",
          ".alice@x.example",
          "al..ice@x.example",
          "alice@[192.0.2.1]",
          "alice@-x.example",
          "alice@x..example",
          "ali\u200bce@x.example",
          null
        }) {
      assertThrows(
          IllegalArgumentException.class, () -> MailAddress.parse(bad), String.valueOf(bad));
    }
    assertThrows(IllegalArgumentException.class, () -> new MailAddress("Alice@x.example"));
    // The label is bounded whatever the address's length (PAST labels are at most 64 bytes).
    MailAddress longest =
        MailAddress.parse(
            local64 + "@" + "d".repeat(63) + "." + "e".repeat(63) + "." + "f".repeat(61));
    assertEquals(254, longest.value().length());
    assertThrows(IllegalArgumentException.class, () -> MailAddress.parse("a" + longest.value()));
    assertEquals(53, DirectoryEntry.label(longest).length);
  }

  @Test
  void aRequestProvesPossessionAndTheAuthorityChecksIt() throws CryptoException {
    UserIdentity alice = UserIdentity.generate(DirectoryRing.seeded(1));
    CertificateRequest req =
        Enrolment.request("Alice@Example.org", alice, NOW, DirectoryRing.seeded(2));
    byte[] bytes = req.encode();
    assertTrue(bytes.length <= CertificateRequest.MAX_BYTES);
    CertificateRequest back = CertificateRequest.decode(bytes);
    assertEquals("alice@example.org", back.address().value());
    assertEquals(alice.signing().publicKey(), back.signingKey());

    // Every single-bit change is refused (a format error or a failed proof of possession).
    for (int i = 0; i < bytes.length * 8; i++) {
      byte[] t = bytes.clone();
      t[i / 8] ^= (byte) (1 << (i % 8));
      assertThrows(CryptoException.class, () -> CertificateRequest.decode(t), "bit " + i);
    }

    DirectoryAuthority authority =
        new DirectoryAuthority(
            SigningKeyPair.generate(DirectoryRing.seeded(3)), DirectoryRing.seeded(4));
    DirectoryEntry e = authority.enrol(bytes, NOW, Duration.ofDays(365));
    assertEquals(alice.signing().publicKey(), e.certificate().signingKey());
    assertEquals(NOW.plus(Duration.ofDays(365)), e.certificate().notAfter());
    assertEquals(e.certificate().notAfter().toEpochMilli(), e.object().expiryMillis());
    assertEquals(DirectoryEntry.id(authority.publicKey(), e.address()), e.id());

    // Sequences grow on every revocation and re-issue, and still grow for an authority that lost
    // its records (the issue time is a floor).
    DirectoryEntry r = authority.revoke(e, DirectoryEntry.Reason.SUPERSEDED, NOW);
    assertEquals(e.sequence() + 1, r.sequence());
    assertEquals(DirectoryEntry.Status.REVOKED, r.status());
    DirectoryEntry again = authority.enrol(bytes, NOW.plusSeconds(60), Duration.ofDays(30));
    assertTrue(again.sequence() > r.sequence());
    assertNotEquals(e.certificate().serial(), again.certificate().serial());

    // Refusals: a stale request, a validity over PAST's lease cap, garbage.
    assertInstanceOf(
        DirectoryException.EnrolmentRefused.class,
        assertThrows(
            DirectoryException.class,
            () -> authority.enrol(bytes, NOW.plus(Duration.ofDays(8)), Duration.ofDays(30))));
    assertThrows(
        DirectoryException.EnrolmentRefused.class,
        () -> authority.enrol(bytes, NOW, Duration.ofDays(400)));
    assertThrows(
        DirectoryException.EnrolmentRefused.class,
        () -> authority.enrol(new byte[600], NOW, Duration.ofDays(30)));
    // Another authority's entry does not decode as this ring's.
    DirectoryAuthority other =
        new DirectoryAuthority(
            SigningKeyPair.generate(DirectoryRing.seeded(5)), DirectoryRing.seeded(6));
    assertThrows(
        CryptoException.class,
        () ->
            DirectoryEntry.decode(
                other.enrol(bytes, NOW, Duration.ofDays(1)).object(),
                authority.publicKey(),
                e.address()));
  }
}
