package org.epost.mail.submit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.epost.crypto.api.UserCertificate;
import org.epost.mail.api.AccountServices;
import org.epost.post.api.NotificationId;
import org.epost.post.api.UserRecord;

/**
 * What the submit package asks of the ring for one sending user: the directory's certificate of a
 * recipient, and a notification sent as this user. Stages complete on the executor given at
 * construction, never on the node's loop.
 */
interface RingAccess {
  CompletableFuture<UserCertificate> certificate(String address);

  CompletableFuture<NotificationId> notify(
      UserCertificate recipient, byte[] reference, byte[] summary);

  /** Over the user's POST services, on the node's loop through the bridge. */
  static RingAccess of(AccountServices services, Executor deliverOn) {
    return new RingAccess() {
      @Override
      public CompletableFuture<UserCertificate> certificate(String address) {
        return services
            .bridge()
            .call(() -> services.directory().lookup(address), deliverOn)
            .thenApply(UserRecord::certificate);
      }

      @Override
      public CompletableFuture<NotificationId> notify(
          UserCertificate recipient, byte[] reference, byte[] summary) {
        return services
            .bridge()
            .call(
                () -> services.post().notifications().send(recipient, reference, summary),
                deliverOn);
      }
    };
  }
}
