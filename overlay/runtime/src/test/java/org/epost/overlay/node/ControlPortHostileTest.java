package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile local clients against the control port (issue 17 items 3 and 6), through real loopback
 * sockets: clients without the token cannot keep the operator out, are cut off at the token
 * deadline however they trickle, and wrong tokens are answered ever more slowly and end the
 * connection after a few. The node behind the port is a recorder (test scope); the operator's view
 * is what {@link ControlClient} (the CLI's client) gets back.
 */
@Tag("hostile")
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ControlPortHostileTest {
  private static final String TOKEN = "c0ffee".repeat(10) + "abcd";
  @TempDir Path dir;
  private ControlServer server;
  private final List<Socket> hostile = new ArrayList<>();

  private void start() throws IOException {
    server =
        new ControlServer(
            TOKEN,
            new ControlServer.Commands() {
              @Override
              public String route(String keyHex, boolean timed) {
                return "delivered " + keyHex + " hops=0";
              }

              @Override
              public List<String> status() {
                return List.of("node ok");
              }
            });
    new NodeDirectory(dir).writeControl(server.port(), TOKEN);
  }

  @AfterEach
  void stop() throws IOException {
    for (Socket s : hostile) {
      s.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
    s.setSoTimeout(10_000);
    hostile.add(s);
    return s;
  }

  @Test
  void fortySilentClientsWithoutATokenDoNotKeepTheOperatorOut() throws Exception {
    start();
    for (int i = 0; i < 40; i++) {
      connect();
    }
    Thread.sleep(300);
    long t0 = System.nanoTime();
    assertEquals(List.of("node ok"), ControlClient.call(dir, "STATUS", 5_000));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 1_000, "the operator's status answered in " + millis + " ms");
  }

  @Test
  void slowClientsTricklingTheirTokenDoNotKeepTheOperatorOut() throws Exception {
    start();
    List<OutputStream> outs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      outs.add(connect().getOutputStream());
    }
    for (int round = 0; round < 3; round++) {
      for (OutputStream o : outs) {
        try {
          o.write('A');
          o.flush();
        } catch (IOException closedByTheNode) {
          // expected for some: the node made room
        }
      }
      Thread.sleep(200);
    }
    assertEquals(List.of("node ok"), ControlClient.call(dir, "STATUS", 5_000));
  }

  @Test
  void aClientTricklingOneByteEveryQuarterSecondIsClosedAtTheTokenDeadline() throws Exception {
    start();
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    byte[] partial = ("AUTH " + "00".repeat(32)).getBytes(StandardCharsets.US_ASCII);
    long t0 = System.nanoTime();
    boolean closed = false;
    for (int i = 0; i < partial.length && !closed; i++) {
      try {
        out.write(partial[i]);
        out.flush();
        Thread.sleep(250);
        if (s.getInputStream().available() > 0) {
          break;
        }
      } catch (IOException e) {
        closed = true;
      }
    }
    assertEquals(-1, readToEnd(s.getInputStream()), "the node closed the trickling connection");
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 3_500, "closed after " + millis + " ms");
  }

  @Test
  void wrongTokensAreAnsweredEverMoreSlowlyAndTheThirdEndsTheConnection() throws Exception {
    start();
    Socket s = connect();
    OutputStream out = s.getOutputStream();
    java.io.BufferedReader in =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    long[] waited = new long[3];
    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      out.write(("AUTH guess" + i + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("error bad token", in.readLine(), "attempt " + i);
      waited[i] = (System.nanoTime() - t0) / 1_000_000;
    }
    assertEquals(null, in.readLine(), "the connection ends after the third wrong token");
    assertTrue(
        waited[0] >= 50 && waited[1] > waited[0] && waited[2] > waited[1],
        "each wrong token waits longer: " + java.util.Arrays.toString(waited));
    long t0 = System.nanoTime();
    assertEquals(List.of("node ok"), ControlClient.call(dir, "STATUS", 5_000));
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(millis < 500, "the right token is never delayed: " + millis + " ms");
  }

  /** Reads until end of stream (-1) or fails when the node keeps the connection open. */
  private static int readToEnd(InputStream in) throws IOException {
    try {
      int c;
      while ((c = in.read()) >= 0) {
        // "error ..." lines before the close
      }
      return c;
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the node kept the connection open", e);
    } catch (IOException reset) {
      return -1;
    }
  }
}
