package org.epost.post.directory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.keyfile.KeyFiles;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.post.api.Directory;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.LogWriter;
import org.epost.post.api.Logs;
import org.epost.post.api.MailAddress;

/**
 * A user's enrolment (ADR 0104), in three steps:
 *
 * <ol>
 *   <li><b>User side</b> ({@link #generate}, {@link #writeKeyFile}, {@link #request}): fresh keys,
 *       the passphrase-wrapped key file, a certificate request with proof of possession. On the
 *       loop the random source is {@code env.random().secure()}; the CLI, off any loop, passes a
 *       {@code SecureRandom} of its own. Writing the key file is disk I/O: never on the loop.
 *   <li><b>Authority side</b> ({@link DirectoryAuthority#enrol}): offline, with the authority key.
 *   <li><b>The user's node</b> ({@link #complete}): inserts the entry the authority signed, then
 *       creates the account (root) log with its first operation recording the enrolment.
 *       Idempotent: run again after a failure, it stores the entry again (inserts are idempotent)
 *       and appends the record only if the log does not hold it yet.
 * </ol>
 */
public final class Enrolment {
  private Enrolment() {}

  /** Fresh user keys (Ed25519 to sign, X25519 to receive). */
  public static UserIdentity generate(SecureRandom random) {
    return UserIdentity.generate(random);
  }

  /** Writes the passphrase-wrapped key file (ADR 0015). Blocking disk I/O: not on the loop. */
  public static void writeKeyFile(
      Path path, UserIdentity identity, char[] passphrase, SecureRandom random, ScryptParameters p)
      throws IOException {
    new KeyFiles(random, p).write(path, identity, passphrase);
  }

  /** The signed certificate request for {@code address} (normalised here). */
  public static CertificateRequest request(
      String address, UserIdentity identity, Instant now, SecureRandom random) {
    return CertificateRequest.create(MailAddress.parse(address), identity, now, random);
  }

  /**
   * On the user's node: publishes {@code entry} and creates the account log through {@code logs}
   * (the user's own log service) with {@code account} as its application. Completes with the number
   * of operations in the account log. Fails with {@link DirectoryException.EnrolmentRefused} if the
   * entry certifies other keys than {@code identity}'s, with the directory's failures of {@link
   * Directory#publish}, or with the log's ({@link org.epost.post.api.LogException}).
   *
   * <p>Threading: on the node's loop; the stage completes there.
   */
  public static CompletionStage<Long> complete(
      Directory directory,
      Logs logs,
      AccountLog account,
      DirectoryEntry entry,
      UserIdentity identity,
      long wallMillis) {
    if (!entry.certificate().signingKey().equals(identity.signing().publicKey())
        || !entry.certificate().encryptionKey().equals(identity.encryption().publicKey())) {
      return CompletableFuture.failedFuture(
          new DirectoryException.EnrolmentRefused(
              entry.address().value(), "the certificate is for other keys than this user's"));
    }
    if (entry.status() != DirectoryEntry.Status.ACTIVE) {
      return CompletableFuture.failedFuture(
          new DirectoryException.EnrolmentRefused(
              entry.address().value(), "the entry is revoked: nothing to enrol"));
    }
    LogWriter w = logs.writer(AccountLog.NAME, account);
    return directory
        .publish(entry)
        .thenCompose(n -> logs.read(w.id(), 0))
        .thenCompose(
            contents -> {
              account.load(contents);
              for (AccountLog.Enrolled e : account.enrolments()) {
                if (e.certificate().equals(entry.certificate())) {
                  return CompletableFuture.completedFuture(contents.sequence());
                }
              }
              byte[] op =
                  AccountLog.enrolled(
                      entry.address().value(),
                      entry.certificate(),
                      entry.sequence(),
                      w.id().device(),
                      wallMillis);
              account.apply(op); // before the append: a snapshot taken by this write covers it
              return w.append(op).thenApply(seq -> seq + 1);
            })
        .exceptionally(
            t -> {
              throw new CompletionException(UserDirectory.cause(t));
            });
  }
}
