package org.epost.mail.api;

import java.nio.file.Path;
import java.util.Objects;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.api.UserIdentity;
import org.epost.overlay.api.LoopBridge;
import org.epost.post.api.Directory;
import org.epost.post.node.PostNode;

/**
 * What a {@link MailAccount} is built on: the user's keys and certificate, the POST services
 * attached for the user on the node ({@code PostNode.attach}), the node's directory, the bridge to
 * the node's loop, and the account's own directory on the user's disk (owner-only; the account
 * keeps its metadata index, UID state and caches there, encrypted).
 *
 * @param identity the user's keys (unlocked from the key file)
 * @param certificate the user's certificate from the ring's directory
 * @param post the user's POST services on this node; loop-confined, used through {@code bridge}
 * @param directory the node's user directory; loop-confined
 * @param bridge runs work on the node's loop
 * @param accountDirectory where the account keeps its local state
 */
public record AccountServices(
    UserIdentity identity,
    UserCertificate certificate,
    PostNode.User post,
    Directory directory,
    LoopBridge bridge,
    Path accountDirectory) {
  public AccountServices {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(certificate, "certificate");
    Objects.requireNonNull(post, "post");
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(bridge, "bridge");
    Objects.requireNonNull(accountDirectory, "accountDirectory");
  }
}
