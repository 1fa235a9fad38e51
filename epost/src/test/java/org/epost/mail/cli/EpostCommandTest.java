package org.epost.mail.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.epost.mail.daemon.Daemon;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DataDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's and the member's commands as a person types them: {@code ring init} on the
 * operator's machine, {@code init --invitation} and {@code enrol} on a member's, {@code ring sign}
 * of the request, {@code enrol --entry}, {@code account}, {@code status} of a running daemon, and
 * the errors a person meets (wrong passphrase, unknown config key, no daemon running).
 */
class EpostCommandTest {
  @TempDir Path tmp;

  record Run(int code, String out, String err) {}

  private static Run epost(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    synchronized (System.class) {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      try {
        code = Epost.execute(args);
      } finally {
        System.setOut(out);
        System.setErr(err);
      }
    }
    return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void operatorAndMemberEnrolAndTheDaemonReportsItsStatus() throws Exception {
    Path pf = tmp.resolve("pass");
    Files.writeString(pf, "correct horse\n");
    Path op = tmp.resolve("operator");
    Path member = tmp.resolve("member");
    int opPort = freePort();

    Run init =
        epost(
            "ring",
            "init",
            "--data",
            op.toString(),
            "--domain",
            "ring.test",
            "--listen",
            "127.0.0.1:" + opPort,
            "--passphrase-file",
            pf.toString());
    assertEquals(0, init.code(), init.err());
    assertTrue(init.out().startsWith("ring authority "), init.out());
    Path invitation = op.resolve("ring/invitation");
    assertTrue(Files.readString(invitation).contains("bootstrap = 127.0.0.1:" + opPort));
    assertTrue(
        Files.readString(op.resolve("epost.properties")).contains("#imap.listen = 127.0.0.1:1143"));

    Run alice =
        epost(
            "enrol",
            "alice@ring.test",
            "--data",
            op.toString(),
            "--passphrase-file",
            pf.toString());
    assertEquals(0, alice.code(), alice.err());
    assertTrue(alice.out().contains("signed by this data directory's ring authority"), alice.out());

    Run join =
        epost(
            "init",
            "--data",
            member.toString(),
            "--invitation",
            invitation.toString(),
            "--listen",
            "127.0.0.1:" + freePort());
    assertEquals(0, join.code(), join.err());
    Run bob =
        epost(
            "enrol",
            "bob@ring.test",
            "--data",
            member.toString(),
            "--passphrase-file",
            pf.toString());
    assertEquals(0, bob.code(), bob.err());
    assertTrue(bob.out().contains("epost ring sign request"), bob.out());
    Path request = member.resolve("accounts/bob@ring.test/request");

    Path wrong = tmp.resolve("wrong");
    Files.writeString(wrong, "battery staple\n");
    Run refused =
        epost(
            "ring",
            "sign",
            request.toString(),
            "--data",
            op.toString(),
            "--passphrase-file",
            wrong.toString());
    assertEquals(2, refused.code());
    assertTrue(refused.err().contains("wrong passphrase"), refused.err());

    Run signed =
        epost(
            "ring",
            "sign",
            request.toString(),
            "--data",
            op.toString(),
            "--passphrase-file",
            pf.toString());
    assertEquals(0, signed.code(), signed.err());
    assertTrue(signed.out().startsWith("signed bob@ring.test serial="), signed.out());
    Run installed =
        epost(
            "enrol",
            "bob@ring.test",
            "--data",
            member.toString(),
            "--entry",
            request + ".entry",
            "--passphrase-file",
            pf.toString());
    assertEquals(0, installed.code(), installed.err());

    Run account = epost("account", "--data", member.toString());
    assertEquals(0, account.code(), account.err());
    String pw = Files.readString(member.resolve("accounts/bob@ring.test/proxy-password")).trim();
    assertTrue(account.out().contains("password " + pw), account.out());
    assertTrue(account.out().contains("imap_user=\"bob@ring.test\""), account.out());
    assertTrue(account.out().contains("smtp_url=\"smtp://bob%40ring.test@127.0.0.1:1587/\""));

    Run notRunning = epost("status", "--data", op.toString());
    assertEquals(2, notRunning.code());
    assertTrue(notRunning.err().contains("start it with 'epost run'"), notRunning.err());

    // ring revoke (ADR 0109): signed and kept without a daemon, published through a running one
    Run offline =
        epost(
            "ring",
            "revoke",
            "bob@ring.test",
            "--data",
            op.toString(),
            "--passphrase-file",
            pf.toString());
    assertEquals(1, offline.code(), offline.out() + offline.err());
    assertTrue(offline.out().contains("signed revocation list version 1"), offline.out());
    assertTrue(offline.err().contains("--publish-only"), offline.err());
    Run unknown =
        epost(
            "ring",
            "revoke",
            "carol@ring.test",
            "--data",
            op.toString(),
            "--passphrase-file",
            pf.toString());
    assertEquals(2, unknown.code(), unknown.err());
    assertTrue(unknown.err().contains("--serial"), unknown.err());

    DataDirectory d = DataDirectory.existing(op);
    try (Daemon daemon =
        Daemon.start(d, DaemonConfig.load(d.configFile()), "correct horse".toCharArray())) {
      Run status = epost("status", "--data", op.toString());
      assertEquals(0, status.code(), status.err());
      List<String> lines = status.out().lines().toList();
      assertEquals(
          "node      " + daemon.node().id().toHex() + " at 127.0.0.1:" + opPort, lines.get(0));
      assertEquals("ring      joined", lines.get(1));
      assertTrue(status.out().contains("daemon    running"), status.out());
      assertTrue(status.out().contains("account   alice@ring.test"), status.out());
      Run publish = epost("ring", "revoke", "--publish-only", "--data", op.toString());
      assertEquals(0, publish.code(), publish.out() + publish.err());
      assertTrue(publish.out().contains("published: version 1 replicas"), publish.out());
      Run more =
          epost(
              "ring",
              "revoke",
              "--serial",
              "42",
              "--data",
              op.toString(),
              "--passphrase-file",
              pf.toString());
      assertEquals(0, more.code(), more.out() + more.err());
      assertTrue(more.out().contains("published: version 2 replicas"), more.out());
    }
    // the daemon kept the list: its directory state holds version 2
    assertTrue(Files.exists(op.resolve("post/directory/directory.journal")));

    Files.writeString(op.resolve("epost.properties"), "imap.lsiten = 127.0.0.1:1143\n");
    Run typo = epost("run", "--data", op.toString(), "--passphrase-file", pf.toString());
    assertEquals(2, typo.code());
    assertTrue(typo.err().contains("unknown key 'imap.lsiten'"), typo.err());

    Run mail = epost("mail", "status", "<x@ring.test>", "--data", op.toString());
    assertEquals(1, mail.code());
    assertTrue(mail.err().contains("delivery states are not available"), mail.err());
  }

  @Test
  void setupCreatesARingOrJoinsOneAndPrintsTheClientSettings() throws Exception {
    Path pf = tmp.resolve("setup-pass");
    Files.writeString(pf, "correct horse\n");
    Path home = tmp.resolve("setup-alice");
    Run alice =
        epost(
            "setup",
            "--data",
            home.toString(),
            "--new-ring",
            "--address",
            "Alice@Home.Example",
            "--passphrase-file",
            pf.toString(),
            "--start-at-login");
    assertEquals(0, alice.code(), alice.err());
    assertTrue(alice.out().contains("passphrase kept in "), alice.out());
    if (alice.out().contains("passphrase kept in an owner-only file")) {
      assertEquals(
          "rw-------",
          java.nio.file.attribute.PosixFilePermissions.toString(
              Files.getPosixFilePermissions(home.resolve("passphrase"))));
      assertEquals("correct horse\n", Files.readString(home.resolve("passphrase")));
    }
    assertTrue(alice.out().contains("enrolled alice@home.example"), alice.out());
    assertTrue(alice.out().contains("ring created for home.example"), alice.out());
    org.epost.mail.daemon.DataDirectory d = org.epost.mail.daemon.DataDirectory.open(home);
    org.epost.mail.daemon.AccountDirectory a = d.account("alice@home.example");
    String password = Files.readString(a.passwordFile()).trim();
    assertTrue(alice.out().contains(password), "the settings carry the proxy password");
    assertTrue(alice.out().contains("== Thunderbird =="), alice.out());
    assertTrue(alice.out().contains("== mutt"), alice.out());
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(a.keyFile())),
        "the key file is the owner's only");
    assertTrue(Files.exists(d.ringDir().resolve("invitation")), "an invitation to share");

    Run bob =
        epost(
            "setup",
            "--data",
            tmp.resolve("setup-bob").toString(),
            "--invitation",
            d.ringDir().resolve("invitation").toString(),
            "--address",
            "bob@home.example",
            "--passphrase-file",
            pf.toString(),
            "--no-start-at-login");
    assertEquals(0, bob.code(), bob.err());
    assertTrue(bob.out().contains("enrolled bob@home.example"), bob.out());
    assertTrue(
        bob.out().contains("to the ring's operator ('epost ring sign')"),
        "a joining account's request goes to the operator: " + bob.out());

    Run wrong =
        epost(
            "setup",
            "--data",
            tmp.resolve("setup-wrong").toString(),
            "--new-ring",
            "--address",
            "not an address",
            "--passphrase-file",
            pf.toString(),
            "--no-start-at-login");
    assertTrue(wrong.code() != 0, "a wrong address is refused");
    assertTrue(wrong.err().contains("is not a mail address"), wrong.err());
  }
}
