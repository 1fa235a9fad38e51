package org.epost.post.notify;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.VerificationException;
import org.epost.post.api.Directory;
import org.epost.post.api.SenderVerdict;

/**
 * The notification service's sender check through the ring's user directory: a sender is accepted
 * when the directory's verdict is {@link SenderVerdict.Outcome#VALID}; a forged or revoked sender
 * fails with {@link VerificationException} (the item is rejected and counted); a directory that
 * could not answer fails with its own retryable exception, so the notification is kept and checked
 * again rather than rejected.
 *
 * <p>Threading: on the node's loop, like the directory.
 */
public final class DirectorySenderVerifier implements SenderVerifier {
  private final Directory directory;

  public DirectorySenderVerifier(Directory directory) {
    this.directory = directory;
  }

  @Override
  public CompletionStage<UserCertificate> verifySender(String address, SigningPublicKey key) {
    return directory
        .verifySender(address, key)
        .thenCompose(
            verdict ->
                verdict.valid()
                    ? CompletableFuture.completedFuture(verdict.record().certificate())
                    : CompletableFuture.failedFuture(
                        new VerificationException(
                            verdict.outcome() + " sender " + address + ": " + verdict.reason())));
  }
}
