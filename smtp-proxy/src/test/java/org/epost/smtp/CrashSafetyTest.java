package org.epost.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.epost.smtp.api.PasswordVerifier;
import org.epost.smtp.api.SmtpServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL of the submission proxy, as a separate JVM, at random moments while clients submit and
 * while the relay worker delivers, 50 times over the same state directory. Afterwards every message
 * that got a 250 is in the ring store exactly once (local recipient) or at the smarthost (remote
 * recipient) with exactly one distinct Message-ID; relay copies beyond the first may exist only as
 * byte-identical duplicates carrying the same Message-ID.
 */
class CrashSafetyTest {
  private static final int ROUNDS = 50;
  private static final int CLIENTS = 3;
  private static final Pattern MESSAGE_ID = Pattern.compile("Message-ID: (<[^>]+>)");
  private static final String FILLER =
      "0123456789abcdefghijklmnopqrstuvwxyz".repeat(130).replaceAll("(.{70})", "$1\r\n");

  @TempDir Path dir;

  record Accepted(String messageId, boolean local, boolean remote) {}

  @Test
  void everyAcknowledgedMessageSurvivesRepeatedSigkill() throws Exception {
    DiskMailStore outside = new DiskMailStore(dir.resolve("outside"), Set.of(RelayTest.CAROL));
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Map<String, Accepted> accepted = new ConcurrentHashMap<>();
    int[] counter = {0};
    try (SmtpProxy smarthost =
        SmtpProxy.start(
            SmtpServerConfig.submission(
                Set.of("outside.example"),
                PasswordVerifier.ofTable(Map.of(RelayTest.RELAY_USER, RelayTest.RELAY_PASSWORD))),
            outside,
            Optional.empty())) {
      int smarthostPort = smarthost.address().getPort();
      for (int round = 0; round < ROUNDS; round++) {
        Process server = startServer(smarthostPort);
        int port = awaitReady(server);
        AtomicBoolean stop = new AtomicBoolean();
        int before = accepted.size();
        List<Thread> clients = new ArrayList<>();
        boolean submitThisRound = round % 5 != 4; // every fifth round kills during relay only
        for (int c = 0; c < (submitThisRound ? CLIENTS : 0); c++) {
          long clientSeed = random.nextLong();
          int first = counter[0];
          counter[0] += 10_000;
          Thread t =
              new Thread(
                  () -> submitUntilStopped(port, stop, accepted, new Random(clientSeed), first));
          t.start();
          clients.add(t);
        }
        // Kill after a random number of acknowledgements (not after a fixed time, so that a
        // loaded machine still kills mid-stream), then a little random delay.
        int target = before + 1 + random.nextInt(6);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (submitThisRound && accepted.size() < target && System.nanoTime() < deadline) {
          Thread.sleep(2);
        }
        Thread.sleep(random.nextInt(submitThisRound ? 30 : 300));
        server.destroyForcibly(); // SIGKILL
        server.waitFor(10, TimeUnit.SECONDS);
        stop.set(true);
        for (Thread t : clients) {
          t.join(10_000);
        }
      }
      Process last = startServer(smarthostPort);
      try {
        awaitReady(last);
        awaitDrained(accepted);
      } finally {
        last.destroyForcibly();
        last.waitFor(10, TimeUnit.SECONDS);
      }
    }
    DiskMailStore ring = new DiskMailStore(dir.resolve("state/store"), Set.of());
    Map<String, Integer> local = countById(ring.messagesFor(TestRing.BOB), true);
    Map<String, Integer> remote = countById(outside.messagesFor(RelayTest.CAROL), true);
    int duplicates = 0;
    for (Accepted a : accepted.values()) {
      if (a.local()) {
        assertEquals(
            1,
            local.getOrDefault(a.messageId(), 0),
            "local copy of " + a.messageId() + " (seed " + seed + ")");
      }
      if (a.remote()) {
        int copies = remote.getOrDefault(a.messageId(), 0);
        assertTrue(
            copies >= 1, "relayed copy of " + a.messageId() + " missing (seed " + seed + ")");
        duplicates += copies - 1;
      }
    }
    System.out.printf(
        "crash test: %d rounds, %d messages acknowledged, %d relay duplicates (same Message-ID)%n",
        ROUNDS, accepted.size(), duplicates);
    assertTrue(
        accepted.size() >= ROUNDS,
        "enough messages were accepted to mean something: " + accepted.size());
  }

  private Process startServer(int smarthostPort) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return new ProcessBuilder(
            java.toString(),
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            CrashTestServerMain.class.getName(),
            dir.resolve("state").toString(),
            String.valueOf(smarthostPort))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.PIPE)
        .start();
  }

  private static int awaitReady(Process server) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    StringBuilder seen = new StringBuilder();
    while ((line = out.readLine()) != null) {
      if (line.startsWith("READY ")) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    out.transferTo(java.io.Writer.nullWriter());
                  } catch (IOException ignored) {
                    // process killed
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring(6).trim());
      }
      seen.append(line).append('\n');
    }
    throw new AssertionError("server process did not start:\n" + seen);
  }

  private static void submitUntilStopped(
      int port, AtomicBoolean stop, Map<String, Accepted> accepted, Random random, int first) {
    int n = first;
    while (!stop.get()) {
      try (RawSmtpClient c = new RawSmtpClient(new InetSocketAddress("127.0.0.1", port))) {
        c.login(TestRing.ALICE, TestRing.PASSWORD);
        while (!stop.get()) {
          int kind = random.nextInt(3);
          boolean local = kind != 1;
          boolean remote = kind != 0;
          String id = "<crash-" + (n++) + "@client.test>";
          RawSmtpClient.expect(c.command("MAIL FROM:<alice@ring.example>"), "250");
          if (local) {
            RawSmtpClient.expect(c.command("RCPT TO:<bob@ring.example>"), "250");
          }
          if (remote) {
            RawSmtpClient.expect(c.command("RCPT TO:<carol@outside.example>"), "250");
          }
          RawSmtpClient.expect(c.command("DATA"), "354");
          String reply =
              c.command("Message-ID: " + id + "\r\nSubject: crash\r\n\r\n" + FILLER + "\r\n.");
          if (reply != null && reply.startsWith("250 ")) {
            accepted.put(id, new Accepted(id, local, remote));
          }
        }
      } catch (IOException | AssertionError e) {
        // the server was killed: anything without a 250 may or may not have arrived
        if (!stop.get()) {
          try {
            Thread.sleep(5);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  private void awaitDrained(Map<String, Accepted> accepted) throws Exception {
    Path active = dir.resolve("state/queue/active");
    for (int i = 0; i < 600; i++) {
      try (Stream<Path> files = Files.list(active)) {
        if (files.noneMatch(f -> f.toString().endsWith(".msg"))) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("relay queue not drained within 60 s");
  }

  private static Map<String, Integer> countById(List<String> messages, boolean checkBody) {
    Map<String, Integer> counts = new HashMap<>();
    for (String m : messages) {
      Matcher matcher = MESSAGE_ID.matcher(m);
      assertTrue(matcher.find(), "stored message without Message-ID");
      assertTrue(
          !checkBody || m.contains(FILLER), "stored message is complete: " + matcher.group(1));
      counts.merge(matcher.group(1), 1, Integer::sum);
    }
    return counts;
  }
}
