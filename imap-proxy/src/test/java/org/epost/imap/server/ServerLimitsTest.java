package org.epost.imap.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.epost.imap.api.ConnectionLimits;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.fixture.RawClient;
import org.epost.imap.fixture.TestServer;
import org.junit.jupiter.api.Test;

/**
 * A hostile local program against the limits of ADR 0037: every cap answers with what a client sees
 * ({@code * BYE ...} and a close), and the server serves the next well-behaved client.
 */
class ServerLimitsTest {

  private static ImapServerConfig config(ConnectionLimits limits) {
    return ImapServerConfig.defaults().withPort(0).withConnectionLimits(limits);
  }

  private static void assertLogsIn(TestServer t) throws Exception {
    try (RawClient c = new RawClient(t.address())) {
      assertTrue(c.line().startsWith("* OK"));
      List<String> r = c.command("l", "LOGIN alice s3cret-pass");
      assertTrue(r.get(r.size() - 1).startsWith("l OK"), r.toString());
    }
  }

  @Test
  void connectionsOverTheTotalCapAreRefusedAndTheSlotComesBack() throws Exception {
    try (TestServer t = new TestServer(config(ConnectionLimits.defaults().withConnections(3, 3)))) {
      List<RawClient> held = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        RawClient c = new RawClient(t.address());
        assertTrue(c.line().startsWith("* OK"));
        held.add(c);
      }
      try (RawClient over = new RawClient(t.address())) {
        assertEquals("* BYE Too many connections (limit 3); try again later", over.line());
        assertTrue(over.isClosedByServer());
      }
      held.remove(0).close();
      Thread.sleep(100);
      assertLogsIn(t);
      for (RawClient c : held) {
        c.close();
      }
    }
  }

  @Test
  void oneAddressCannotTakeEveryConnection() throws Exception {
    try (TestServer t = new TestServer(config(ConnectionLimits.defaults().withConnections(10, 2)));
        RawClient a = new RawClient(t.address());
        RawClient b = new RawClient(t.address())) {
      a.line();
      b.line();
      try (RawClient over = new RawClient(t.address())) {
        assertEquals(
            "* BYE Too many connections from your address (limit 2); try again later", over.line());
      }
      try (Socket other = new Socket()) {
        other.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
        other.connect(t.address());
        other.setSoTimeout(5000);
        assertTrue(readLine(other.getInputStream()).startsWith("* OK"));
      }
    }
  }

  /**
   * The probe: an unfinished LOGIN with 63 literals of 8 KiB made one connection hold 4.5 MB.
   * Before login one command may hold 16 KiB, so the second literal is refused and the connection
   * closed (non-synchronizing literals are already on the way).
   */
  @Test
  void anUnfinishedLoginCannotHoldMoreThanTheCommandLimit() throws Exception {
    try (TestServer t = new TestServer();
        Socket s = new Socket(t.address().getAddress(), t.port())) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      readLine(in);
      OutputStream out = s.getOutputStream();
      byte[] chunk = new byte[8192];
      Arrays.fill(chunk, (byte) 'x');
      List<String> got = new ArrayList<>();
      try {
        out.write("a LOGIN {8192+}\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 63; i++) {
          out.write(chunk);
          out.write(" {8192+}\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
      } catch (IOException closedWhileWriting) {
        // the server closed the connection while the attack was still being sent
      }
      String line;
      while ((line = readLine(in)) != null) {
        got.add(line);
      }
      assertEquals(
          List.of("* BYE Literal of 8192 bytes exceeds the limit of 8169 bytes before login"), got);
    }
  }

  @Test
  void unauthenticatedConnectionsShareABoundedBudget() throws Exception {
    ConnectionLimits limits = ConnectionLimits.defaults().withPreLoginBytes(16 * 1024, 64 * 1024);
    try (TestServer t = new TestServer(config(limits))) {
      List<Socket> attackers = new ArrayList<>();
      int refused = 0;
      for (int i = 0; i < 12; i++) {
        Socket s = new Socket(t.address().getAddress(), t.port());
        s.setSoTimeout(5000);
        attackers.add(s);
        readLine(s.getInputStream());
        byte[] partial = new byte[8000];
        Arrays.fill(partial, (byte) 'x');
        s.getOutputStream().write("a LOGIN {8100+}\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().write(partial);
        s.getOutputStream().flush();
      }
      for (Socket s : attackers) {
        s.setSoTimeout(300);
        try {
          String l = readLine(s.getInputStream());
          if (l != null) {
            assertEquals("* BYE Server busy: too much unauthenticated data; try again later", l);
            refused++;
          }
        } catch (java.net.SocketTimeoutException stillHeld) {
          // this one's bytes fit in the budget
        }
      }
      assertTrue(refused >= 3, "at most 64 KiB among 12 connections of 8 KB: refused " + refused);
      for (Socket s : attackers) {
        s.close();
      }
      Thread.sleep(100);
      assertLogsIn(t);
    }
  }

  @Test
  void aCommandTrickledByteByByteIsCutOff() throws Exception {
    ConnectionLimits limits =
        ConnectionLimits.defaults().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(1));
    try (TestServer t = new TestServer(config(limits));
        RawClient c = new RawClient(t.address())) {
      c.line();
      c.command("l", "LOGIN alice s3cret-pass");
      long start = System.nanoTime();
      byte[] cmd = "n NOOP".getBytes(StandardCharsets.US_ASCII);
      try {
        for (int i = 0; i < 40; i++) {
          c.sendBytes(new byte[] {cmd[i % cmd.length]});
          Thread.sleep(100);
        }
      } catch (IOException closed) {
        // expected once the server gives up
      }
      assertEquals("* BYE Command took too long to arrive (limit 1 s)", c.line());
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms >= 900 && ms < 3000, "cut off after " + ms + " ms");
    }
  }

  @Test
  void aConnectionThatNeverLogsInIsClosedEvenIfItKeepsTalking() throws Exception {
    ConnectionLimits limits =
        ConnectionLimits.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(60));
    try (TestServer t = new TestServer(config(limits));
        RawClient c = new RawClient(t.address())) {
      c.line();
      for (int i = 0; i < 3; i++) {
        assertEquals(List.of("n OK NOOP completed"), c.command("n", "NOOP"));
        Thread.sleep(250);
      }
      Thread.sleep(500);
      assertEquals("* BYE Login timeout", c.line());
      assertTrue(c.isClosedByServer());
    }
  }

  @Test
  void failedLoginsAreAnsweredSlowerEachTimeAndTheThirdCloses() throws Exception {
    ConnectionLimits limits =
        ConnectionLimits.defaults()
            .withAuthFailures(Duration.ofMillis(200), Duration.ofSeconds(3), 3);
    try (TestServer t = new TestServer(config(limits))) {
      try (RawClient c = new RawClient(t.address())) {
        c.line();
        long[] floor = {200, 400, 800};
        for (int i = 0; i < 3; i++) {
          long start = System.nanoTime();
          List<String> r = c.command("g" + i, "LOGIN alice wrong" + i);
          long ms = (System.nanoTime() - start) / 1_000_000;
          assertEquals(
              "g" + i + " NO [AUTHENTICATIONFAILED] Invalid user name or password", r.get(0));
          assertTrue(ms >= floor[i], "failure " + (i + 1) + " answered after " + ms + " ms");
        }
        assertEquals("* BYE Too many failed logins", c.line());
        assertTrue(c.isClosedByServer());
      }
      try (RawClient c = new RawClient(t.address())) {
        c.line();
        long start = System.nanoTime();
        c.command("h", "LOGIN alice wrong-again");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 1600, "a new connection from the same address waits " + ms + " ms");
        List<String> ok = c.command("l", "LOGIN alice s3cret-pass");
        assertTrue(ok.get(0).startsWith("l OK"), ok.toString());
      }
    }
  }

  @Test
  void aDelayedLoginFailureHoldsNoWorkerThread() throws Exception {
    ImapServerConfig cfg =
        config(
                ConnectionLimits.defaults()
                    .withAuthFailures(Duration.ofSeconds(2), Duration.ofSeconds(2), 3))
            .withWorkerThreads(1);
    try (TestServer t = new TestServer(cfg);
        RawClient guesser = new RawClient(t.address());
        RawClient user = new RawClient(t.address())) {
      guesser.line();
      user.line();
      guesser.send("g LOGIN alice wrong\r\n");
      Thread.sleep(200);
      long start = System.nanoTime();
      assertEquals(List.of("n OK NOOP completed"), user.command("n", "NOOP"));
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 1000, "the only worker was free: NOOP took " + ms + " ms");
      assertEquals("g NO [AUTHENTICATIONFAILED] Invalid user name or password", guesser.line());
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\n') {
        return sb.toString().replace("\r", "");
      }
      sb.append((char) c);
    }
    return sb.length() == 0 ? null : sb.toString();
  }
}
