package org.epost.overlay.node;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeCertificate;
import org.epost.crypto.api.RevocationList;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.cert.RingAuthority;
import org.epost.overlay.transport.tcp.NodeCredentials;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code overlay-node authority init|issue|revoke}: the ring authority's operator tools (ADR 0089).
 * The authority's directory holds its encrypted signing key; keep it off the nodes.
 */
@Command(
    name = "authority",
    description = "Ring authority: create one, issue node certificates, revoke them.",
    subcommands = {
      AuthorityCommand.Init.class,
      AuthorityCommand.Issue.class,
      AuthorityCommand.Revoke.class
    })
final class AuthorityCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("usage: authority init|issue|revoke (see --help)");
    return 2;
  }

  @Command(
      name = "init",
      description = "Create a ring authority in DIR; prints 'authority <public-key-hex>'.")
  static final class Init implements Callable<Integer> {
    @Option(
        names = "--dir",
        required = true,
        description = "directory for authority.key and authority.pub")
    Path dir;

    @Override
    public Integer call() {
      try {
        SigningPublicKey key = RingAuthorityFiles.init(dir, new SecureRandom());
        System.out.println("authority " + RingAuthorityFiles.hex(key));
        return 0;
      } catch (IOException e) {
        System.err.println("error: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "issue",
      description =
          "Issue a node certificate for a node's public key under a random node id;"
              + " prints 'issued <node-id-hex> serial=<n> not-after=<instant>'.")
  static final class Issue implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "the authority's directory")
    Path dir;

    @Option(
        names = "--node-key",
        required = true,
        description =
            "the node's public key, 64 hex digits " + "(what 'node-key --data DIR' prints)")
    String nodeKey;

    @Option(
        names = "--out",
        required = true,
        description = "certificate file to write (the node's --node-cert)")
    Path out;

    @Option(names = "--days", description = "validity in days from now (default ${DEFAULT-VALUE})")
    long days = 365;

    @Override
    public Integer call() {
      SigningPublicKey key;
      try {
        key = SigningPublicKey.fromBytes(HexFormat.of().parseHex(nodeKey.trim()));
      } catch (IllegalArgumentException | CryptoFormatException e) {
        System.err.println(
            "error: --node-key is not an Ed25519 public key in hex: " + e.getMessage());
        return 2;
      }
      if (days < 1 || days > 36_500) {
        System.err.println("error: --days must be between 1 and 36500");
        return 2;
      }
      try {
        RingAuthority authority = RingAuthorityFiles.open(dir, new SecureRandom());
        Instant now = Instant.now();
        // a minute of slack for clocks a little behind the authority's
        NodeCertificate cert =
            authority.issueNodeCertificate(
                key, now.minus(Duration.ofMinutes(1)), now.plus(Duration.ofDays(days)));
        RingAuthorityFiles.writeAtomically(out, cert.encode());
        System.out.println(
            "issued "
                + NodeCredentials.overlayId(cert.nodeId()).toHex()
                + " serial="
                + cert.serial()
                + " not-after="
                + cert.notAfter());
        return 0;
      } catch (IOException e) {
        System.err.println("error: " + e.getMessage());
        return 1;
      }
    }
  }

  @Command(
      name = "revoke",
      description =
          "Write revocation list VERSION revoking the given serials (list every "
              + "revoked serial: a list replaces the previous one); nodes load it with --revocation-list.")
  static final class Revoke implements Callable<Integer> {
    @Option(names = "--dir", required = true, description = "the authority's directory")
    Path dir;

    @Option(
        names = "--version",
        required = true,
        description = "list version, higher than any list issued before")
    long version;

    @Option(names = "--serial", description = "a revoked certificate's serial; repeat for several")
    List<Long> serials = List.of();

    @Option(names = "--out", required = true, description = "revocation list file to write")
    Path out;

    @Override
    public Integer call() {
      if (version < 1 || serials.size() > RevocationList.MAX_SERIALS) {
        System.err.println(
            "error: --version must be positive and at most "
                + RevocationList.MAX_SERIALS
                + " serials may be revoked");
        return 2;
      }
      try {
        RingAuthority authority = RingAuthorityFiles.open(dir, new SecureRandom());
        RingAuthorityFiles.writeAtomically(
            out, authority.issueRevocationList(version, Instant.now(), serials).encode());
        System.out.println("revocation-list version=" + version + " serials=" + serials.size());
        return 0;
      } catch (IOException e) {
        System.err.println("error: " + e.getMessage());
        return 1;
      }
    }
  }
}
