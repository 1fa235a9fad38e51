package org.epost.mail.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.Enrolments;
import org.epost.mail.daemon.RingFiles;
import org.epost.overlay.node.NodeControl;
import org.epost.post.api.DirectoryEntry;
import org.epost.post.api.DirectoryException;
import org.epost.post.api.MailAddress;
import org.epost.post.directory.DirectoryAuthority;
import org.epost.post.directory.SignedRevocations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code epost ring init|sign|revoke}: the ring operator's commands. */
@Command(
    name = "ring",
    description = "The ring's authority: create a ring, sign members' certificate requests.",
    subcommands = {RingCommand.Init.class, RingCommand.Sign.class, RingCommand.Revoke.class})
final class RingCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("usage: epost ring init|sign|revoke (see --help)");
    return 2;
  }

  @Command(
      name = "init",
      description =
          "Create a ring: its authority key (passphrase-protected) in DATA/ring, and the invitation"
              + " file new members start from (authority public key, this node as bootstrap, the"
              + " ring's mail domains).")
  static final class Init implements Callable<Integer> {
    @Mixin Epost.DataOption data = new Epost.DataOption();
    @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

    @Option(
        names = "--domain",
        required = true,
        split = ",",
        paramLabel = "DOMAIN",
        description = "the ring's mail domain(s), e.g. ring.example.org")
    List<String> domains = new ArrayList<>();

    @Option(
        names = "--listen",
        paramLabel = "HOST:PORT",
        description = "node.listen for this (first) node; also the invitation's bootstrap")
    String listen;

    @Option(
        names = "--bootstrap",
        split = ",",
        paramLabel = "HOST:PORT",
        description = "bootstrap addresses for the invitation (default: this node's node.listen)")
    List<String> bootstraps = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
      DataDirectory d = data.open();
      InitCommand.writeConfig(
          d, listen == null ? Map.of() : Map.of(DaemonConfig.Key.NODE_LISTEN, listen));
      DaemonConfig config;
      try {
        config = DaemonConfig.load(d.configFile());
      } catch (IllegalArgumentException e) {
        throw new Epost.UserError(e.getMessage(), e);
      }
      List<InetSocketAddress> boots = new ArrayList<>();
      try {
        for (String b : bootstraps) {
          boots.add(DaemonConfig.hostPort(b));
        }
      } catch (IllegalArgumentException e) {
        throw new Epost.UserError("--bootstrap " + e.getMessage(), e);
      }
      if (boots.isEmpty()) {
        boots.add(config.nodeListen());
      }
      List<String> ds = new ArrayList<>();
      for (String dom : domains) {
        ds.add(dom.trim().toLowerCase(Locale.ROOT));
      }
      SigningPublicKey key;
      try {
        key =
            RingFiles.initAuthority(
                d,
                passphrase.get("passphrase for the ring authority's key", true),
                new SecureRandom(),
                ScryptParameters.DEFAULT);
        RingFiles.writeInvitation(d, new RingFiles.Invitation(key, boots, ds));
      } catch (IOException e) {
        throw new Epost.UserError(e.getMessage(), e);
      }
      System.out.println("ring authority " + java.util.HexFormat.of().formatHex(key.toBytes()));
      System.out.println("invitation " + d.ringDir().resolve("invitation"));
      System.out.println(
          "next: 'epost enrol ADDRESS' for accounts here; on another machine 'epost init"
              + " --invitation FILE', 'epost enrol ADDRESS', and here 'epost ring sign REQUEST'");
      return 0;
    }
  }

  @Command(
      name = "sign",
      description =
          "Sign a member's certificate request with this data directory's ring authority; writes"
              + " the signed directory entry the member installs with 'epost enrol ADDRESS --entry"
              + " FILE'.")
  static final class Sign implements Callable<Integer> {
    @Mixin Epost.DataOption data = new Epost.DataOption();
    @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

    @Parameters(paramLabel = "REQUEST", description = "the request file ('epost enrol' wrote it)")
    Path request;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description = "where the signed entry goes (default: REQUEST.entry)")
    Path out;

    @Override
    public Integer call() throws IOException {
      DataDirectory d = data.existing();
      byte[] req;
      MailAddress address;
      DirectoryAuthority authority;
      try {
        req = Enrolments.readRequest(request);
        address = Enrolments.requestAddress(req);
        authority =
            RingFiles.openAuthority(
                d,
                passphrase.get("passphrase of the ring authority's key", false),
                new SecureRandom());
      } catch (IOException e) {
        throw new Epost.UserError(e.getMessage(), e);
      }
      DirectoryEntry entry;
      try {
        entry = Enrolments.sign(authority, req);
      } catch (DirectoryException e) {
        throw new Epost.UserError(e.getMessage(), e);
      }
      Path target = out != null ? out : Path.of(request + ".entry");
      Enrolments.writeEntry(target, entry);
      RingFiles.recordIssued(d, entry); // for 'epost ring revoke ADDRESS' (ADR 0109)
      System.out.println(
          "signed "
              + address
              + " serial="
              + entry.certificate().serial()
              + " not-after="
              + entry.certificate().notAfter());
      System.out.println("entry " + target);
      System.out.println(
          "next, on the member's machine: epost enrol " + address + " --entry " + target);
      return 0;
    }
  }

  @Command(
      name = "revoke",
      description =
          "Revoke a member's certificates: sign the next revocation list with this data"
              + " directory's ring authority (kept in DATA/ring/revocations) and publish it through"
              + " this data directory's running daemon (its control port), which stores it in the"
              + " ring and pushes it to every node (ADR 0109).")
  static final class Revoke implements Callable<Integer> {
    @Mixin Epost.DataOption data = new Epost.DataOption();
    @Mixin Epost.PassphraseOption passphrase = new Epost.PassphraseOption();

    @Parameters(
        arity = "0..1",
        paramLabel = "ADDRESS",
        description = "the member whose certificates 'ring sign' issued here are revoked")
    String address;

    @Option(
        names = "--serial",
        split = ",",
        paramLabel = "SERIAL",
        description = "certificate serial(s) to revoke as well (e.g. signed before ring/issued)")
    List<Long> serials = new ArrayList<>();

    @Option(
        names = "--publish-only",
        description = "sign nothing: publish the list in DATA/ring/revocations again")
    boolean publishOnly;

    @Override
    public Integer call() throws IOException {
      DataDirectory d = data.existing();
      SigningPublicKey pub = RingFiles.authorityPublicKey(d);
      java.util.Optional<SignedRevocations> previous = RingFiles.revocations(d, pub);
      SignedRevocations list;
      if (publishOnly) {
        list =
            previous.orElseThrow(() -> new Epost.UserError("no revocation list signed here yet"));
      } else {
        java.util.Set<Long> revoke = new java.util.TreeSet<>(serials);
        java.time.Instant now = java.time.Instant.now();
        java.util.Map<Long, java.time.Instant> notAfter = new java.util.HashMap<>();
        for (RingFiles.Issued i : RingFiles.issued(d)) {
          notAfter.put(i.serial(), i.notAfter());
          if (address != null && i.address().equals(normalise(address))) {
            revoke.add(i.serial());
          }
        }
        if (revoke.isEmpty()) {
          throw new Epost.UserError(
              (address == null ? "nothing to revoke" : "no certificate of " + address)
                  + " is recorded in "
                  + d.ringDir().resolve("issued")
                  + "; give its serial with --serial");
        }
        java.util.Set<Long> all = new java.util.TreeSet<>(revoke);
        long version = 1;
        if (previous.isPresent()) {
          version = previous.get().version() + 1;
          // keep every serial of the previous list, except those whose certificate has expired
          for (Long s : serialsOf(previous.get())) {
            java.time.Instant end = notAfter.get(s);
            if (end == null || end.isAfter(now)) {
              all.add(s);
            }
          }
        }
        DirectoryAuthority authority;
        try {
          authority =
              RingFiles.openAuthority(
                  d,
                  passphrase.get("passphrase of the ring authority's key", false),
                  new SecureRandom());
          list = authority.revocationObject(version, now, all);
        } catch (IOException | IllegalArgumentException e) {
          throw new Epost.UserError(e.getMessage(), e);
        }
        RingFiles.writeRevocations(d, list); // before publishing: a version is never reused
        System.out.println(
            "signed revocation list version "
                + list.version()
                + " ("
                + list.list().size()
                + " serials, revoked now: "
                + revoke
                + ") in "
                + d.ringDir().resolve("revocations"));
      }
      String b64 = java.util.Base64.getEncoder().encodeToString(list.object().bytes());
      List<String> answer;
      try {
        answer = NodeControl.call(d.nodeDir(), "APP revocations-publish " + b64, 120_000);
      } catch (IOException e) {
        System.err.println(
            "not published: this data directory's daemon does not answer ("
                + e.getMessage()
                + "); start it ('epost run') and run 'epost ring revoke --publish-only'");
        return 1;
      }
      if (answer.isEmpty() || !answer.get(0).startsWith("ok ")) {
        System.err.println("not published: " + (answer.isEmpty() ? "no answer" : answer.get(0)));
        return 1;
      }
      System.out.println("published: " + answer.get(0).substring(3));
      return 0;
    }

    private static String normalise(String a) {
      try {
        return MailAddress.parse(a).value();
      } catch (IllegalArgumentException e) {
        throw new Epost.UserError("not an address: " + a, e);
      }
    }
  }

  /** The serials a list revokes. */
  private static List<Long> serialsOf(SignedRevocations list) {
    List<Long> out = new ArrayList<>();
    for (long s : list.list().serials()) {
      out.add(s);
    }
    return out;
  }
}
