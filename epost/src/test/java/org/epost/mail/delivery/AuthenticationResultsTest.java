package org.epost.mail.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The From comparison behind {@code x-epost-from}. */
class AuthenticationResultsTest {
  private static AuthenticationResults.FromCheck check(String header) {
    return AuthenticationResults.compareFrom(
        header.getBytes(StandardCharsets.UTF_8), "alice@ring.example");
  }

  @Test
  void fromNamingTheCertifiedSenderPasses() {
    var c = check("Subject: x\r\nFrom: Alice <Alice@Ring.Example>\r\n\r\nbody");
    assertEquals(AuthenticationResults.FromResult.PASS, c.result());
    assertEquals("alice@ring.example", c.address());
  }

  @Test
  void fromNamingAnotherAddressFails() {
    var c = check("From:\r\n \"Bank\" <support@bank.example>\r\n\r\n");
    assertEquals(AuthenticationResults.FromResult.FAIL, c.result());
    assertEquals("support@bank.example", c.address());
  }

  @Test
  void noFromOrSeveralMailboxesAreNeutral() {
    assertEquals(AuthenticationResults.FromResult.NEUTRAL, check("Subject: x\r\n\r\n").result());
    assertEquals(
        AuthenticationResults.FromResult.NEUTRAL,
        check("From: alice@ring.example, bob@ring.example\r\n\r\n").result());
    assertEquals(
        AuthenticationResults.FromResult.NEUTRAL,
        check("From: alice@ring.example\r\nFrom: alice@ring.example\r\n\r\n").result());
  }

  @Test
  void aFromThatIsNoRingAddressFailsWithoutEchoingIt() {
    var c = check("From: \"x\" <\"quoted local\"@evil.example>\r\n\r\n");
    assertEquals(AuthenticationResults.FromResult.FAIL, c.result());
    assertNull(c.address());
  }
}
