package org.epost.mail.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real mail clients the end-to-end tests drive, each as its own process with its output
 * collected: swaks and msmtp submitting, python3 imaplib ({@code e2e/imap_client.py}), mbsync and
 * neomutt reading. Files they need (scripts, configuration) are written into {@code work}.
 */
final class MailClients {
  /** A client's exit code and its standard output and error together. */
  record Result(int code, String out) {
    boolean ok() {
      return code == 0;
    }
  }

  private final Path work;

  MailClients(Path work) throws IOException {
    this.work = Files.createDirectories(work);
  }

  Path work() {
    return work;
  }

  /** Whether every program the tests run is installed. */
  static String missing() {
    for (String p :
        List.of(
            "/usr/bin/swaks",
            "/usr/bin/python3",
            "/usr/bin/msmtp",
            "/usr/bin/mbsync",
            "/usr/bin/neomutt")) {
      if (!Files.isExecutable(Path.of(p))) {
        return p + " is not installed (.ci/packages/epost.txt)";
      }
    }
    return null;
  }

  /** Runs {@code cmd} to its end (at most {@code seconds}), {@code stdin} fed when not null. */
  static Result run(List<String> cmd, byte[] stdin, int seconds, Path dir) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().put("TERM", "dumb");
    Process p = pb.start();
    Thread feeder = null;
    if (stdin != null) {
      feeder =
          new Thread(
              () -> {
                try (var o = p.getOutputStream()) {
                  o.write(stdin);
                } catch (IOException e) {
                  // the client closed its input: its output says why
                }
              },
              "stdin-" + cmd.get(0));
      feeder.setDaemon(true);
      feeder.start();
    } else {
      p.getOutputStream().close();
    }
    byte[] out;
    try (InputStream in = p.getInputStream()) {
      out = readWithin(in, p, seconds);
    }
    if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, new String(out, StandardCharsets.UTF_8) + "\n(timed out)");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim());
  }

  private static byte[] readWithin(InputStream in, Process p, int seconds) throws IOException {
    Thread killer =
        new Thread(
            () -> {
              try {
                if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                  p.destroyForcibly();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "deadline");
    killer.setDaemon(true);
    killer.start();
    return in.readAllBytes();
  }

  // ---- submission ----

  /** swaks: AUTH PLAIN at {@code smtpPort}, one message to {@code to}. */
  Result swaks(int smtpPort, String user, String password, String to, String subject, String body)
      throws Exception {
    return swaks(smtpPort, user, password, user, to, subject, body, List.of());
  }

  Result swaks(
      int smtpPort,
      String user,
      String password,
      String from,
      String to,
      String subject,
      String body,
      List<String> extra)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/swaks",
                "--server",
                "127.0.0.1:" + smtpPort,
                "--auth",
                "PLAIN",
                "--auth-user",
                user,
                "--auth-password",
                password,
                "--from",
                from,
                "--to",
                to,
                "--header",
                "Subject: " + subject,
                "--body",
                body,
                "--timeout",
                "60"));
    cmd.addAll(extra);
    return run(cmd, null, 120, null);
  }

  /** msmtp: the message on standard input, sent with {@code -t} from an msmtprc for the account. */
  Result msmtp(int smtpPort, String user, String password, byte[] message) throws Exception {
    Path rc = work.resolve("msmtprc-" + user);
    Files.writeString(
        rc,
        String.join(
            "\n",
            "defaults",
            "auth plain",
            "tls off",
            "timeout 60",
            "logfile " + work.resolve("msmtp.log"),
            "account ring",
            "host 127.0.0.1",
            "port " + smtpPort,
            "from " + user,
            "user " + user,
            "password " + password,
            "account default : ring",
            ""));
    Files.setPosixFilePermissions(
        rc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return run(List.of("/usr/bin/msmtp", "-C", rc.toString(), "-t"), message, 120, null);
  }

  // ---- python3 imaplib ----

  private Path imapScript() throws IOException {
    Path script = work.resolve("imap_client.py");
    if (!Files.exists(script)) {
      try (InputStream in = MailClients.class.getResourceAsStream("/e2e/imap_client.py")) {
        Files.write(script, in.readAllBytes());
      }
    }
    return script;
  }

  /** Starts {@code imap_client.py MODE HOST PORT USER PASS ARGS...}. */
  Process imapProcess(int port, String user, String password, String mode, String... args)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/python3",
                imapScript().toString(),
                mode,
                "127.0.0.1",
                String.valueOf(port),
                user,
                password));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** Runs {@code imap_client.py} to its end. */
  Result imap(int port, String user, String password, int seconds, String mode, String... args)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/bin/python3",
                imapScript().toString(),
                mode,
                "127.0.0.1",
                String.valueOf(port),
                user,
                password));
    cmd.addAll(List.of(args));
    return run(cmd, null, seconds, null);
  }

  // ---- mbsync ----

  /**
   * mbsync of every folder of {@code user}'s IMAP account into the Maildir++ tree {@code maildir}
   * (pull only, so the server's state is what the Maildir shows).
   */
  Result mbsync(int port, String user, String password, Path maildir) throws Exception {
    Files.createDirectories(maildir);
    Path rc = work.resolve("mbsyncrc-" + user);
    Files.writeString(
        rc,
        String.join(
            "\n",
            "IMAPAccount ring",
            "Host 127.0.0.1",
            "Port " + port,
            "User " + user,
            "Pass " + password,
            "SSLType None",
            "AuthMechs LOGIN",
            "Timeout 60",
            "",
            "IMAPStore ring-remote",
            "Account ring",
            "",
            "MaildirStore ring-local",
            "Path " + maildir + "/",
            "Inbox " + maildir.resolve("INBOX"),
            "SubFolders Verbatim",
            "",
            "Channel ring",
            "Far :ring-remote:",
            "Near :ring-local:",
            "Patterns *",
            "Create Near",
            "Remove Near",
            "Expunge Near",
            "Sync Pull",
            "SyncState *",
            ""));
    Files.setPosixFilePermissions(
        rc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return run(List.of("/usr/bin/mbsync", "-c", rc.toString(), "-a"), null, 120, work);
  }

  // ---- neomutt ----

  /**
   * neomutt without a terminal user: a muttrc for {@code user}'s IMAP account (no caches, no
   * questions) and {@code commands}, the keys it pushes (ending in {@code <quit>}), run under
   * {@code script} so that it has a terminal.
   */
  Result neomutt(int port, String user, String password, String commands) throws Exception {
    Path rc = work.resolve("muttrc-" + user);
    String url = "imap://" + user.replace("@", "%40") + "@127.0.0.1:" + port + "/";
    Files.writeString(
        rc,
        String.join(
            "\n",
            "set folder = \"" + url + "\"",
            "set spoolfile = \"+INBOX\"",
            "set imap_user = \"" + user + "\"",
            "set imap_pass = \"" + password + "\"",
            "set ssl_starttls = no",
            "set ssl_force_tls = no",
            "set imap_passive = no",
            "set imap_check_subscribed = no",
            "set mail_check = 1",
            "set timeout = 5",
            "set imap_keepalive = 30",
            "set header_cache = \"\"",
            "set message_cachedir = \"\"",
            "set confirmappend = no",
            "set confirmcreate = no",
            "set delete = yes",
            "set quit = yes",
            "set move = no",
            "set mark_old = no",
            "set wait_key = no",
            "set sort = date-sent",
            "push \"" + commands + "\"",
            ""));
    Files.setPosixFilePermissions(
        rc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    String neomutt = "/usr/bin/neomutt -n -F " + rc;
    Path typescript = work.resolve("neomutt.typescript");
    List<String> cmd = List.of("/usr/bin/script", "-q", "-e", "-c", neomutt, typescript.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("TERM", "xterm");
    pb.environment().put("COLUMNS", "120");
    pb.environment().put("LINES", "40");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = readWithin(p.getInputStream(), p, 60);
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly();
      return new Result(-1, "neomutt did not quit within 60 s");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1));
  }
}
