package org.epost.mail.daemon;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * BENCHMARK DRIVER (not a test): {@link DeliveryLatencyBench}'s measurement split in two processes,
 * for a ring whose members sit in network namespaces (alice's and bob's proxies are each on
 * 127.0.0.1 of their own namespace, so no one process reaches both). Both sides read {@code
 * System.nanoTime()}, the machine's monotonic clock, which namespaces share.
 *
 * <pre>
 * netns-ring.sh exec B java ... SplitDeliveryBench idle IMAP_PORT USER PASSWORD COUNT \
 *   | netns-ring.sh exec A java ... SplitDeliveryBench send SMTP_PORT USER PASSWORD TO MESSAGES WARMUP
 * </pre>
 *
 * <p>{@code idle}: bob's IMAP connection selects INBOX and idles; prints {@code READY n} (the
 * initial EXISTS), then {@code EXISTS n NANOS} for each of the next COUNT new messages. {@code
 * send}: alice's SMTP connection submits one 4.7 KB message at a time, the next after bob's EXISTS
 * for the previous one (read from standard input), and prints the percentiles of submit ("." to
 * "250") and deliver ("250" to bob's EXISTS).
 */
public final class SplitDeliveryBench {
  private SplitDeliveryBench() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[1]);
    if (args[0].equals("idle")) {
      idle(port, args[2], args[3], Integer.parseInt(args[4]));
    } else {
      send(port, args[2], args[3], args[4], Integer.parseInt(args[5]), Integer.parseInt(args[6]));
    }
  }

  private static void idle(int port, String user, String password, int count) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
    try (DeliveryLatencyBench.Idle idle = DeliveryLatencyBench.Idle.open(port, user, password)) {
      long n = idle.initial;
      out.println("READY " + n);
      for (int i = 0; i < count; i++) {
        long seen = idle.awaitExists(n + 1, 3600);
        n++;
        out.println("EXISTS " + n + " " + seen);
      }
    }
  }

  private static void send(
      int port, String user, String password, String to, int messages, int warmup)
      throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    String ready = in.readLine();
    if (ready == null || !ready.startsWith("READY ")) {
      throw new IllegalStateException("bob's IDLE side said " + ready);
    }
    long exists = Long.parseLong(ready.substring(6).trim());
    String body = DeliveryLatencyBench.body();
    long[] submit = new long[messages];
    long[] deliver = new long[messages];
    int notStored = 0;
    try (DeliveryLatencyBench.Smtp smtp = DeliveryLatencyBench.Smtp.open(port, user, password)) {
      for (int i = -warmup; i < messages; i++) {
        long[] t = smtp.send(user, to, "bench-" + i, body);
        if (!smtp.lastReply.contains("stored")) {
          notStored++;
        }
        long seen = -1;
        while (seen < 0) {
          String l = in.readLine();
          if (l == null) {
            throw new IllegalStateException("bob's IDLE side ended");
          }
          String[] f = l.split(" ");
          if (f[0].equals("EXISTS") && Long.parseLong(f[1]) >= exists + 1) {
            seen = Long.parseLong(f[2]);
          }
        }
        exists++;
        if (i >= 0) {
          submit[i] = t[1] - t[0];
          deliver[i] = Math.max(0, seen - t[1]);
        }
      }
      System.out.printf(
          Locale.ROOT,
          "%d messages of %d bytes after %d warm-up, one at a time; %d replies not 'stored'%n",
          messages,
          smtp.lastSize,
          warmup,
          notStored);
    }
    DeliveryLatencyBench.report("submit: '.' to '250' (send to notified)", submit);
    DeliveryLatencyBench.report("deliver: '250' to bob's IDLE EXISTS", deliver);
    long[] total = new long[messages];
    for (int i = 0; i < messages; i++) {
      total[i] = submit[i] + deliver[i];
    }
    DeliveryLatencyBench.report("total: '.' to EXISTS", total);
  }
}
