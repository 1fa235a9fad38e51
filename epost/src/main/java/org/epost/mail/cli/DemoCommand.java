package org.epost.mail.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.epost.mail.daemon.DemoRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code epost demo}: a ring on this machine with alice, bob and carol, until Ctrl-C. */
@Command(
    name = "demo",
    description =
        "Run a ring of daemons on loopback in this process, with users alice, bob and carol, each"
            + " on their own node with their own IMAP/SMTP ports; print their mail client settings;"
            + " run until Ctrl-C, then remove everything.")
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--nodes", description = "nodes in the ring (default ${DEFAULT-VALUE})")
  int nodes = 4;

  @Option(
      names = "--imap-port",
      description = "alice's IMAP port; bob and carol get the next ones (default ${DEFAULT-VALUE})")
  int imapPort = 1143;

  @Option(
      names = "--smtp-port",
      description = "alice's SMTP port; bob and carol get the next ones (default ${DEFAULT-VALUE})")
  int smtpPort = 1587;

  @Option(
      names = "--gateway-port",
      description =
          "port of the demo's Internet gateway on 127.0.0.1 (mail in as from the Internet); -1: no"
              + " gateway (default ${DEFAULT-VALUE})")
  int gatewayPort = 2525;

  @Option(
      names = "--dir",
      description = "where the demo's temporary directory goes (default: the system's temp)")
  Path parent = Path.of(System.getProperty("java.io.tmpdir"));

  @Override
  public Integer call() throws Exception {
    long t0 = System.nanoTime();
    System.out.println("starting an ePOST ring of " + nodes + " nodes on loopback...");
    DemoRing ring =
        DemoRing.start(
            parent,
            nodes,
            List.of("alice", "bob", "carol"),
            imapPort,
            smtpPort,
            gatewayPort,
            System.out);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("stopping the demo ring and removing " + ring.root());
                  ring.close();
                  stopped.countDown();
                },
                "epost-demo-shutdown"));
    System.out.println();
    if (!ring.mailIntegrated()) {
      System.out.println(
          "NOTE: this build has no mail parts yet (mailbox and submission not integrated): the"
              + " ring runs and the users are enrolled, but no IMAP/SMTP listener serves them.");
    }
    for (DemoRing.User u : ring.users()) {
      String imap = u.imap() == null ? null : RunCommand.hostPort(u.imap());
      String smtp = u.smtp() == null ? null : RunCommand.hostPort(u.smtp());
      for (String line : AccountCommand.settings(u.address(), u.password(), imap, smtp)) {
        System.out.println(line);
      }
      for (org.epost.mail.daemon.Daemon d : ring.daemons()) {
        if (d.servedAccounts().contains(u.address()) && d.statusPage().isPresent()) {
          System.out.println(
              "  status page (one-time link): " + d.statusPage().get().oneTimeUrl("/"));
        }
      }
      System.out.println();
    }
    ring.gateway()
        .ifPresent(
            g -> {
              System.out.println(
                  "Internet gateway (mail in as from the Internet, no AUTH, ring users only): "
                      + RunCommand.hostPort(g));
              System.out.println(
                  "  try: swaks --server "
                      + RunCommand.hostPort(g)
                      + " --from someone@example.com --to bob@"
                      + DemoRing.DOMAIN);
              System.out.println();
            });
    System.out.printf(
        "ready in %.1f s.%s Ctrl-C stops the ring.%n",
        (System.nanoTime() - t0) / 1e9,
        ring.mailIntegrated()
            ? " Each user has a welcome message in the INBOX; write to each other."
            : "");
    System.out.flush();
    stopped.await();
    return 0;
  }
}
