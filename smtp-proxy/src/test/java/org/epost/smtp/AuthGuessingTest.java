package org.epost.smtp;

import static org.epost.smtp.RawSmtpClient.expect;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password guessing on the submission port (issue 17 item 3, docs/adr/0047): a delay that grows
 * with failures per client address and per account, across reconnects; a lock-out that refuses
 * non-loopback clients and never the user's loopback client.
 */
@Tag("hostile")
@Timeout(60)
class AuthGuessingTest {
  @TempDir Path dir;
  TestRing ring;

  @AfterEach
  void stop() {
    if (ring != null) {
      ring.close();
    }
  }

  private static String plain(String user, String password) {
    return "AUTH PLAIN "
        + Base64.getEncoder()
            .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** One connection, one AUTH attempt, QUIT; returns the AUTH reply. */
  private static String attempt(InetSocketAddress server, InetAddress from, String password)
      throws Exception {
    try (RawSmtpClient c = new RawSmtpClient(server, from)) {
      expect(c.reply(), "220");
      expect(c.command("EHLO guesser.example"), "250");
      String reply = c.command(plain(TestRing.ALICE, password));
      c.command("QUIT");
      return reply;
    }
  }

  @Test
  void guessesAcrossReconnectsAreSlowedDown() throws Exception {
    ring =
        TestRing.submission(
            dir,
            c ->
                c.withAuthThrottle(
                    Duration.ofMillis(100), Duration.ofMillis(800), 1000, Duration.ofMinutes(15)),
            Optional.empty());
    long start = System.nanoTime();
    int guesses = 8;
    for (int i = 0; i < guesses; i++) {
      expect(attempt(ring.address(), null, "guess-" + i), "535 5.7.8");
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    // waits before attempts 2..8: 100 + 200 + 400 + 800 * 4 = 3,900 ms
    System.out.println("AUTH-BENCH " + guesses + " guesses in " + millis + " ms over reconnects");
    assertTrue(millis >= 3500, guesses + " wrong guesses took only " + millis + " ms");
  }

  private static InetAddress nonLoopbackAddress() throws Exception {
    for (NetworkInterface nif :
        java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nif.isUp() || nif.isLoopback()) {
        continue;
      }
      for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a;
        }
      }
    }
    return null;
  }

  @Test
  void aLockedAccountRefusesRemoteClientsButNeverTheLoopbackUser() throws Exception {
    InetAddress remote = nonLoopbackAddress();
    assumeTrue(remote != null, "needs a non-loopback IPv4 address on this host");
    InetAddress any = InetAddress.getByName("0.0.0.0");
    ring =
        TestRing.submission(
            dir,
            c ->
                c.withBindAddress(any)
                    .withAuthThrottle(
                        Duration.ofMillis(10), Duration.ofMillis(50), 5, Duration.ofMinutes(15)),
            Optional.empty());
    InetSocketAddress viaRemote = new InetSocketAddress(remote, ring.port());
    InetSocketAddress viaLoopback =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), ring.port());
    for (int i = 0; i < 5; i++) {
      expect(attempt(viaRemote, remote, "guess-" + i), "535 5.7.8");
    }
    // Locked: a remote client is refused even with the right password, unchecked.
    expect(attempt(viaRemote, remote, TestRing.PASSWORD), "454 4.7.0");
    // The user's own client on loopback still gets in.
    expect(attempt(viaLoopback, null, TestRing.PASSWORD), "235 2.7.0");
    // A guesser on loopback gets no lock-out to hide behind, only the delay.
    expect(attempt(viaLoopback, null, "guess-loopback"), "535 5.7.8");
    expect(attempt(viaLoopback, null, TestRing.PASSWORD), "235 2.7.0");
  }
}
