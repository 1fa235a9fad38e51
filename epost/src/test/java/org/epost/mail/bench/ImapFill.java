package org.epost.mail.bench;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * BENCHMARK LOAD DRIVER (not a test): fills a mailbox through a running IMAP server the way a mail
 * client migrating an archive does, with RFC 3502 MULTIAPPEND (LITERAL+), BATCH messages per
 * command, CONNECTIONS in parallel. The messages are {@link ImapRingBench#message} number FROM to
 * TO (~4.7 KB each).
 *
 * <pre>
 * java -cp ... org.epost.mail.bench.ImapFill PORT USER PASSWORD FROM TO [CONNECTIONS [BATCH]]
 * </pre>
 */
public final class ImapFill {
  private ImapFill() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    String user = args[1];
    String password = args[2];
    int from = Integer.parseInt(args[3]);
    int to = Integer.parseInt(args[4]);
    int connections = args.length > 5 ? Integer.parseInt(args[5]) : 4;
    int batch = args.length > 6 ? Integer.parseInt(args[6]) : 50;
    AtomicInteger next = new AtomicInteger(from);
    AtomicInteger done = new AtomicInteger();
    long t0 = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  fill(port, user, password, next, to, batch, done, t0);
                } catch (Exception e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    if (!failures.isEmpty()) {
      throw new IOException("fill failed: " + failures);
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "FILLED %d messages (%d..%d) in %.1f s: %.1f msg/s%n",
        done.get(), from, to, s, done.get() / s);
  }

  private static void fill(
      int port,
      String user,
      String password,
      AtomicInteger next,
      int to,
      int batch,
      AtomicInteger done,
      long t0)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(600_000);
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      in.readLine();
      String plain =
          Base64.getEncoder()
              .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
      command(out, in, "a", ("a AUTHENTICATE PLAIN " + plain + "\r\n").getBytes());
      int tag = 0;
      while (true) {
        int first = next.getAndAdd(batch);
        if (first > to) {
          break;
        }
        int last = Math.min(to, first + batch - 1);
        String t = "f" + (tag++);
        ByteArrayOutputStream cmd = new ByteArrayOutputStream();
        cmd.write((t + " APPEND INBOX").getBytes(StandardCharsets.US_ASCII));
        for (int i = first; i <= last; i++) {
          byte[] m = ImapRingBench.message(i);
          cmd.write((" {" + m.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII));
          cmd.write(m);
        }
        cmd.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        command(out, in, t, cmd.toByteArray());
        int n = done.addAndGet(last - first + 1);
        if ((n / batch) % 100 == 0) {
          System.out.printf("  %d appended in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
      }
      out.write("z LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
    }
  }

  private static void command(OutputStream out, BufferedReader in, String tag, byte[] bytes)
      throws IOException {
    out.write(bytes);
    out.flush();
    String l;
    while ((l = in.readLine()) != null) {
      if (l.startsWith(tag + " ")) {
        if (!l.startsWith(tag + " OK")) {
          throw new IOException(l);
        }
        return;
      }
    }
    throw new IOException("connection closed");
  }
}
