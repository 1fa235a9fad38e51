package org.epost.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.epost.smtp.api.Envelope;
import org.epost.smtp.api.SmtpStatus;
import org.epost.smtp.api.SubmissionBackend;
import org.epost.smtp.api.SubmissionException;

/**
 * TEST FIXTURE: a submission backend on local disk. One file per (recipient, message): {@code
 * root/<recipient>/<uuid>.eml}, written to a temporary name, fsynced, renamed, and the directory
 * fsynced, so that a returned {@link #deliver} survives SIGKILL. The first line of each file is
 * {@code X-Envelope-From: <reverse-path>}.
 */
public final class DiskMailStore implements SubmissionBackend {
  private final Path root;
  private final Set<String> users;
  private final AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
  private final AtomicReference<SubmissionException> failure = new AtomicReference<>();
  private final AtomicReference<java.util.concurrent.CountDownLatch> hang = new AtomicReference<>();

  public DiskMailStore(Path root, Set<String> users) {
    this.root = root;
    this.users = Set.copyOf(users.stream().map(u -> u.toLowerCase(Locale.ROOT)).toList());
    try {
      Files.createDirectories(root.resolve("tmp"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Makes every delivery wait this long first (a slow, replicating store). */
  public void slowDown(Duration d) {
    delay.set(d);
  }

  /**
   * Makes every delivery hang, ignoring interrupts, until {@code release} opens (a stuck store).
   */
  public void hangUntil(java.util.concurrent.CountDownLatch release) {
    hang.set(release);
  }

  /** Makes every delivery fail with this refusal, or succeed again with null. */
  public void failWith(SubmissionException e) {
    failure.set(e);
  }

  @Override
  public void checkRecipient(String address) throws SubmissionException {
    if (!users.contains(address.toLowerCase(Locale.ROOT))) {
      throw new SubmissionException(
          SmtpStatus.MAILBOX_UNKNOWN, "<" + address + ">: no such user in this ring");
    }
  }

  @Override
  public void deliver(Envelope envelope, InputStream message) throws SubmissionException {
    try {
      Thread.sleep(delay.get().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SubmissionException(SmtpStatus.TEMPORARY_FAILURE, "interrupted");
    }
    java.util.concurrent.CountDownLatch stuck = hang.get();
    while (stuck != null && stuck.getCount() > 0) {
      try {
        stuck.await();
      } catch (InterruptedException ignored) {
        // a stuck store ignores the interrupt on purpose
      }
    }
    SubmissionException failing = failure.get();
    if (failing != null) {
      throw failing;
    }
    try {
      byte[] body = message.readAllBytes();
      Path tmp = root.resolve("tmp").resolve(UUID.randomUUID() + ".tmp");
      try (FileChannel ch =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(
            java.nio.ByteBuffer.wrap(
                ("X-Envelope-From: <" + envelope.reversePath() + ">\r\n")
                    .getBytes(StandardCharsets.UTF_8)));
        ch.write(java.nio.ByteBuffer.wrap(body));
        ch.force(true);
      }
      for (int i = 0; i < envelope.recipients().size(); i++) {
        Path box = root.resolve(envelope.recipients().get(i).toLowerCase(Locale.ROOT));
        Files.createDirectories(box);
        Path target = box.resolve(UUID.randomUUID() + ".eml");
        if (i == envelope.recipients().size() - 1) {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } else {
          Files.copy(tmp, target);
          fsync(target);
        }
        fsync(box);
      }
    } catch (IOException e) {
      throw new SubmissionException(
          SmtpStatus.TEMPORARY_FAILURE, "disk store failed: " + e.getMessage(), e);
    }
  }

  private static void fsync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** Every stored message for {@code recipient}, oldest first is not guaranteed. */
  public List<String> messagesFor(String recipient) {
    Path box = root.resolve(recipient.toLowerCase(Locale.ROOT));
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(box)) {
      return out;
    }
    try (Stream<Path> files = Files.list(box)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".eml")).toList()) {
        out.add(Files.readString(f, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** All stored messages of all recipients. */
  public List<String> allMessages() {
    List<String> out = new ArrayList<>();
    try (Stream<Path> boxes = Files.list(root)) {
      for (Path box :
          boxes
              .filter(Files::isDirectory)
              .filter(b -> !b.getFileName().toString().equals("tmp"))
              .toList()) {
        out.addAll(messagesFor(box.getFileName().toString()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
