package org.epost.post.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.List;
import java.util.stream.Stream;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.overlay.sim.SimulatedNode;
import org.epost.post.api.LogException;
import org.epost.post.api.LogWriter;
import org.epost.post.disk.Direct;
import org.junit.jupiter.api.Test;

/**
 * A crash of a node that holds its log state exclusively costs no quiet period (ADR 0108), while a
 * copy of its data directory (another path, another machine) and a non-exclusive holder still wait
 * it (ADR 0102). Real files under {@code target/disk-tests}; the ring is simulated.
 */
class CrashTakeoverTest {
  private static final LogConfig CONFIG = LogConfig.defaults();

  private final LogRing ring = new LogRing(21).build(16);
  private final SigningKeyPair alice = LogRing.user(21);
  private final SimulatedNode laptop = ring.node(3);
  private final Path machineId = machineIdFile("0123456789abcdef0123456789abcdef");

  private static SecureRandom random(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path machineIdFile(String id) {
    try {
      Path f = Direct.dir("machine-").resolve("machine-id");
      Files.writeString(f, id + "\n", StandardCharsets.US_ASCII);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private FileLogLocalState exclusive(Path dir, Path machine) throws IOException {
    return FileLogLocalState.openExclusive(
        dir,
        Runnable::run,
        laptop.overlay().environment().scheduler(),
        random(7),
        List.of(machine));
  }

  private FileLogLocalState shared(Path dir) throws IOException {
    return new FileLogLocalState(dir, Runnable::run, laptop.overlay().environment().scheduler());
  }

  /** A session on {@code state} that writes three operations to Sent, then "crashes". */
  private LogWriter crashAfterThreeAppends(FileLogLocalState state, LogRing.ListApp app) {
    LogWriter w = ring.logs(laptop, alice, "laptop", state, CONFIG).writer("Sent", app);
    for (int i = 0; i < 3; i++) {
      byte[] op = LogRing.op(i, 70);
      app.applyLocally(op);
      ring.await(w.append(op));
    }
    // no close(): the process is SIGKILLed; its state object is dropped with it
    return w;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, to.resolve(from.relativize(f).toString()));
      }
    }
  }

  private void assertQuietPeriod(Throwable t, String why) {
    assertInstanceOf(LogException.WriterConflict.class, t, t.toString());
    assertTrue(t.getMessage().contains("did not stop cleanly"), t.getMessage());
    assertTrue(t.getMessage().contains(why), t.getMessage());
  }

  @Test
  void aCrashedNodeHoldingItsStateExclusivelyWritesAtOnceAfterItsRestart() throws Exception {
    Path dir = Direct.dir("takeover-");
    LogRing.ListApp app = new LogRing.ListApp();
    FileLogLocalState first = exclusive(dir, machineId);
    assertNotNull(first.exclusiveIdentity());
    crashAfterThreeAppends(first, app);

    // the restarted process: the same directory on the same machine, held exclusively again
    FileLogLocalState again = exclusive(dir, machineId);
    assertArrayEquals(first.exclusiveIdentity(), again.exclusiveIdentity(), "same installation");
    SignedLogs restarted = ring.logs(laptop, alice, "laptop", again, CONFIG);
    LogWriter w2 = restarted.writer("Sent", app);
    long start = ring.sim.nowMillis();
    assertEquals(3, ring.await(w2.append(LogRing.op(3, 70)), 30_000));
    assertTrue(ring.sim.nowMillis() - start < 30_000, "no quiet period");
    assertEquals(0, app.catchUps, "nothing to catch up: its own record is the newest head");
    assertEquals(0, restarted.status().writerConflicts());
  }

  @Test
  void aCopyOfTheDirectoryAtAnotherPathStillWaitsTheQuietPeriod() throws Exception {
    Path dir = Direct.dir("takeover-");
    crashAfterThreeAppends(exclusive(dir, machineId), new LogRing.ListApp());
    Path copy = Direct.dir("takeover-copy-").resolve("logs");
    copyTree(dir, copy);

    LogRing.ListApp app = new LogRing.ListApp();
    LogWriter w2 =
        ring.logs(laptop, alice, "laptop", exclusive(copy, machineId), CONFIG).writer("Sent", app);
    assertQuietPeriod(ring.failure(w2.append(LogRing.op(3, 70))), "another copy");
    ring.sim.runFor(CONFIG.takeoverQuietMillis() / 2);
    assertQuietPeriod(ring.failure(w2.append(LogRing.op(3, 70))), "another copy");
    ring.sim.runFor(CONFIG.takeoverQuietMillis() / 2);
    assertEquals(3, ring.await(w2.append(LogRing.op(3, 70))), "after the quiet period");
  }

  @Test
  void theSameDirectoryOnAnotherMachineStillWaitsTheQuietPeriod() throws Exception {
    Path dir = Direct.dir("takeover-");
    crashAfterThreeAppends(exclusive(dir, machineId), new LogRing.ListApp());
    // a cloned machine (or the disk moved to another one): same path, other machine id
    Path otherMachine = machineIdFile("fedcba9876543210fedcba9876543210");
    LogWriter w2 =
        ring.logs(laptop, alice, "laptop", exclusive(dir, otherMachine), CONFIG)
            .writer("Sent", new LogRing.ListApp());
    assertQuietPeriod(ring.failure(w2.append(LogRing.op(3, 70))), "another copy");
  }

  @Test
  void theSameDirectoryOpenedNonExclusivelyStillWaitsTheQuietPeriod() throws Exception {
    Path dir = Direct.dir("takeover-");
    crashAfterThreeAppends(exclusive(dir, machineId), new LogRing.ListApp());
    FileLogLocalState state = shared(dir);
    assertNull(state.exclusiveIdentity());
    LogWriter w2 = ring.logs(laptop, alice, "laptop", state, CONFIG).writer("Sent", app());
    assertQuietPeriod(
        ring.failure(w2.append(LogRing.op(3, 70))), "does not hold its log state exclusively");
    ring.sim.runFor(CONFIG.takeoverQuietMillis());
    assertEquals(3, ring.await(w2.append(LogRing.op(3, 70))), "after the quiet period");
  }

  @Test
  void aCrashedSessionThatDidNotHoldTheStateExclusivelyMayStillRun() throws Exception {
    // The previous session opened the directory without the lock: holding it now proves nothing
    // about that process, so the exclusive restart waits.
    Path dir = Direct.dir("takeover-");
    crashAfterThreeAppends(shared(dir), new LogRing.ListApp());
    LogWriter w2 =
        ring.logs(laptop, alice, "laptop", exclusive(dir, machineId), CONFIG).writer("Sent", app());
    assertQuietPeriod(
        ring.failure(w2.append(LogRing.op(3, 70))), "did not hold its log state exclusively");
  }

  @Test
  void aCleanStopOfAnExclusiveSessionStillRestartsAtOnceAndRepeatedCrashesToo() throws Exception {
    Path dir = Direct.dir("takeover-");
    LogRing.ListApp app = new LogRing.ListApp();
    crashAfterThreeAppends(exclusive(dir, machineId), app);
    long sequence = 3;
    for (int crash = 0; crash < 3; crash++) {
      LogWriter w =
          ring.logs(laptop, alice, "laptop", exclusive(dir, machineId), CONFIG).writer("Sent", app);
      assertEquals(sequence, ring.await(w.append(LogRing.op((int) sequence, 70)), 30_000));
      sequence++;
      if (crash == 1) {
        ring.await(w.close());
      }
    }
  }

  @Test
  void aRecordOfTheFormerFormatIsReadAsOneWithoutAnIdentity() throws Exception {
    // a node upgraded right after a crash: its record is version 1 (no identity), so this once it
    // waits the quiet period; it writes version 2 from then on
    Path dir = Direct.dir("takeover-");
    LogWriter w = crashAfterThreeAppends(exclusive(dir, machineId), new LogRing.ListApp());
    String key = SignedLogs.key("log-writer", w.id());
    Path file = dir.resolve(key.replace('/', '~'));
    byte[] v2 = Files.readAllBytes(file);
    CanonicalReader r = CanonicalReader.open(v2, "epost/log-writer", 2);
    byte[] v1 =
        CanonicalWriter.start("epost/log-writer", 1)
            .bytes(1, r.bytes(1, Head.SESSION_BYTES))
            .u8(2, r.u8(2))
            .bytes(3, r.bytes(3, 1, v2.length))
            .toByteArray();
    Files.write(file, v1);
    LogRing.ListApp app = app();
    LogWriter w2 =
        ring.logs(laptop, alice, "laptop", exclusive(dir, machineId), CONFIG).writer("Sent", app);
    assertQuietPeriod(
        ring.failure(w2.append(LogRing.op(3, 70))), "did not hold its log state exclusively");
    ring.sim.runFor(CONFIG.takeoverQuietMillis());
    assertEquals(3, ring.await(w2.append(LogRing.op(3, 70))));
    CanonicalReader.open(Files.readAllBytes(file), "epost/log-writer", 2); // rewritten as v2
  }

  private static LogRing.ListApp app() {
    return new LogRing.ListApp();
  }
}
