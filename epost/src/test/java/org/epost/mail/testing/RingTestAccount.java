package org.epost.mail.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailException;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.MessageStore;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;

/**
 * Test only, until the mailbox engineer's {@code MailAccounts.open} lands (switch the real-path
 * tests to it at integration): a {@link MailAccount} whose {@code store} goes through the real
 * message store (a HEADER part and a BODY part) and whose folders are a list in memory.
 */
public final class RingTestAccount implements MailAccount {
  /** One filed message. */
  public record Filed(String folder, StoredMail mail, byte[] addedHeader, long uid) {}

  private final AccountServices services;
  private final ExecutorService exec = Executors.newSingleThreadExecutor();
  private final List<Filed> filed = new CopyOnWriteArrayList<>();
  private final AtomicLong uids = new AtomicLong();

  public RingTestAccount(AccountServices services) {
    this.services = services;
  }

  @Override
  public String address() {
    return services.certificate().address();
  }

  @Override
  public CompletionStage<StoredMail> store(InputStream rfc5322) {
    byte[] bytes;
    try {
      bytes = rfc5322.readAllBytes();
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new MailException(MailException.Kind.CORRUPT, "unreadable", e));
    }
    int split = headerEnd(bytes);
    byte[] header = Arrays.copyOf(bytes, split);
    byte[] body = Arrays.copyOfRange(bytes, split, bytes.length);
    MessageStore store = services.post().store();
    return services
        .bridge()
        .call(
            () ->
                store.store(
                    List.of(
                        PartInput.of(PartRole.HEADER, "", header),
                        PartInput.of(PartRole.BODY, "1", body))),
            exec)
        .thenApply(s -> new StoredMail(s.ref(), bytes.length, new byte[] {1}, s.expiryWallMillis()))
        .exceptionallyCompose(
            t ->
                CompletableFuture.failedFuture(
                    new MailException(MailException.Kind.UNAVAILABLE, "store failed", t)));
  }

  @Override
  public CompletionStage<Long> file(
      String folder, StoredMail mail, byte[] addedHeader, Set<String> flags) {
    long uid = uids.incrementAndGet();
    filed.add(new Filed(folder, mail, addedHeader, uid));
    return CompletableFuture.supplyAsync(() -> uid, exec);
  }

  /** What was filed into {@code folder}. */
  public List<Filed> filed(String folder) {
    return filed.stream().filter(f -> f.folder().equalsIgnoreCase(folder)).toList();
  }

  /** The stored message's bytes, read back from the ring through this user's store. */
  public byte[] read(StoredMail mail) throws Exception {
    MessageStore store = services.post().store();
    OpenedMessage opened = services.bridge().call(() -> store.open(mail.ref()), exec).get();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (PartInfo p : opened.parts()) {
      out.write(services.bridge().call(() -> store.read(p.ref(), 0, (int) p.length()), exec).get());
    }
    return out.toByteArray();
  }

  @Override
  public UserSession openSession() {
    throw new UnsupportedOperationException("test account: no IMAP");
  }

  @Override
  public void close() {
    exec.shutdownNow();
  }

  private static int headerEnd(byte[] b) {
    for (int i = 0; i + 3 < b.length; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i + 4;
      }
    }
    return b.length;
  }
}
