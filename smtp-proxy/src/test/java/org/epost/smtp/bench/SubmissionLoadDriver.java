package org.epost.smtp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * BENCHMARK LOAD DRIVER (not a test): N clients, each on its own connection, submit 4.7 KB messages
 * back to back (no pipelining) for a fixed time; prints accepted messages per second. Every counted
 * message got a "250" after the final dot.
 *
 * <pre>
 * java -cp ... org.epost.smtp.bench.SubmissionLoadDriver host port clients seconds recipient [user password [sender]]
 * </pre>
 *
 * <p>The sender (MAIL FROM and the From header) is {@code bench@bench.client} unless given (a
 * submission server that checks the sender against the authenticated user needs the user's own).
 */
public final class SubmissionLoadDriver {
  static final int MESSAGE_BYTES = 4700;

  private SubmissionLoadDriver() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int clients = Integer.parseInt(args[2]);
    int seconds = Integer.parseInt(args[3]);
    String recipient = args[4];
    String user = args.length > 6 ? args[5] : null;
    String password = args.length > 6 ? args[6] : null;
    String sender = args.length > 7 ? args[7] : "bench@bench.client";
    AtomicLong accepted = new AtomicLong();
    total = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();
    AtomicBoolean measuring = new AtomicBoolean(false);
    AtomicBoolean stop = new AtomicBoolean(false);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      int client = i;
      Thread t =
          new Thread(
              () -> {
                try {
                  run(
                      host, port, user, password, sender, recipient, client, accepted, refused,
                      measuring, stop);
                } catch (IOException e) {
                  System.err.println("client " + client + ": " + e);
                }
              });
      t.start();
      threads.add(t);
    }
    Thread.sleep(2000); // warm-up
    long before = accepted.get();
    measuring.set(true);
    long start = System.nanoTime();
    Thread.sleep(seconds * 1000L);
    long after = accepted.get();
    double elapsed = (System.nanoTime() - start) / 1e9;
    stop.set(true);
    for (Thread t : threads) {
      t.join(10_000);
    }
    System.out.printf(
        "RESULT clients=%d seconds=%.1f accepted=%d rate=%.1f msg/s refused=%d total=%d%n",
        clients, elapsed, after - before, (after - before) / elapsed, refused.get(), total.get());
    long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    if (l.length > 0) {
      System.out.printf(
          "LATENCY '.' to '250': p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
          l[(l.length - 1) / 2] / 1e6,
          l[(int) Math.ceil(0.99 * l.length) - 1] / 1e6,
          l[l.length - 1] / 1e6);
    }
  }

  /** Every message accepted, warm-up and the last replies after the window included. */
  private static AtomicLong total;

  /** The measured messages' time from the final "." to the reply, in nanoseconds. */
  private static java.util.Queue<Long> latencies;

  private static void run(
      String host,
      int port,
      String user,
      String password,
      String sender,
      String recipient,
      int client,
      AtomicLong accepted,
      AtomicLong refused,
      AtomicBoolean measuring,
      AtomicBoolean stop)
      throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port));
      s.setTcpNoDelay(true);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      expect(reply(in), '2');
      expect(command(out, in, "EHLO bench.client"), '2');
      if (user != null) {
        expect(
            command(
                out,
                in,
                "AUTH PLAIN "
                    + Base64.getEncoder()
                        .encodeToString(
                            ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8))),
            '2');
      }
      StringBuilder filler = new StringBuilder();
      while (filler.length() < MESSAGE_BYTES - 200) {
        filler.append(
            "The quick brown fox jumps over the lazy dog, again and again and again.\r\n");
      }
      long n = 0;
      while (!stop.get()) {
        String id = "<bench-" + client + "-" + (n++) + "-" + System.nanoTime() + "@bench.client>";
        String message =
            "From: "
                + sender
                + "\r\nTo: "
                + recipient
                + "\r\nSubject: benchmark\r\n"
                + "Message-ID: "
                + id
                + "\r\n\r\n"
                + filler
                + ".\r\n";
        expect(command(out, in, "MAIL FROM:<" + sender + ">"), '2');
        expect(command(out, in, "RCPT TO:<" + recipient + ">"), '2');
        expect(command(out, in, "DATA"), '3');
        long sent = System.nanoTime();
        String done = command(out, in, message.substring(0, message.length() - 2));
        long took = System.nanoTime() - sent;
        if (done.charAt(0) == '2') {
          total.incrementAndGet();
          if (measuring.get() && !stop.get()) {
            accepted.incrementAndGet();
            latencies.add(took);
          }
        } else {
          refused.incrementAndGet();
        }
      }
      command(out, in, "QUIT");
    }
  }

  private static String command(OutputStream out, BufferedReader in, String line)
      throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return reply(in);
  }

  private static String reply(BufferedReader in) throws IOException {
    String line;
    String last = null;
    while ((line = in.readLine()) != null) {
      last = line;
      if (line.length() < 4 || line.charAt(3) != '-') {
        return line;
      }
    }
    throw new IOException("connection closed; last line " + last);
  }

  private static void expect(String reply, char first) throws IOException {
    if (reply.charAt(0) != first) {
      throw new IOException("unexpected reply: " + reply);
    }
  }
}
