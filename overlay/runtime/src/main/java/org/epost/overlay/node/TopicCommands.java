package org.epost.overlay.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.epost.overlay.node.NodeCommand.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code publish} and {@code subscribe}: Scribe topics through a running node. */
final class TopicCommands {
  private TopicCommands() {}

  @Command(
      name = "publish",
      description =
          "Publish TEXT to TOPIC (Scribe) through a running node; TEXT '-' publishes each line of"
              + " standard input.")
  static final class Publish extends ClientCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "topic name (no spaces)")
    String topic;

    @Parameters(
        index = "1",
        paramLabel = "TEXT",
        description = "the publication (one line), or - for lines from standard input")
    String text;

    @Override
    public Integer call() throws Exception {
      checkTopic(topic);
      if (!text.equals("-")) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
          throw new UserError("TEXT must be one line");
        }
        ask("PUBLISH " + topic + " " + text, 60_000);
        return 0;
      }
      int failed =
          onSession(
              60_000,
              s -> {
                int errors = 0;
                try (java.io.BufferedReader in =
                    new java.io.BufferedReader(
                        new java.io.InputStreamReader(
                            System.in, java.nio.charset.StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null) {
                    if (line.isEmpty()) {
                      continue;
                    }
                    String answer = s.ask("PUBLISH " + topic + " " + line);
                    if (answer == null) {
                      throw new IllegalStateException(
                          "the node at " + via + " closed the connection");
                    }
                    if (answer.startsWith("error ")) {
                      errors++;
                      System.err.println("error: " + strip(answer));
                    }
                  }
                }
                return errors;
              });
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "subscribe",
      description =
          "Subscribe a running node to TOPIC and print each publication received as a line, until"
              + " interrupted (Ctrl-C).")
  static final class Subscribe extends ClientCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "topic name (no spaces)")
    String topic;

    @Option(
        names = "--ready",
        description = "print 'subscribed' and 'attached' lines too (for scripts)")
    boolean ready;

    @Override
    public Integer call() {
      checkTopic(topic);
      Path dir = dataDir();
      java.util.concurrent.atomic.AtomicBoolean stopping =
          new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<ControlClient.Session> session =
          new java.util.concurrent.atomic.AtomicReference<>();
      Thread hook =
          new Thread(
              () -> {
                stopping.set(true);
                ControlClient.Session s = session.get();
                if (s != null) {
                  try {
                    s.close();
                  } catch (IOException e) {
                    // exiting anyway
                  }
                }
                System.out.flush();
              },
              "subscribe-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      int[] rc = {0};
      try {
        ControlClient.stream(
            dir,
            "SUBSCRIBE " + topic,
            line -> {
              if (line.startsWith("pub ")) {
                System.out.println(line.substring(4));
                System.out.flush();
              } else if (line.startsWith("error ")) {
                System.err.println("error: " + line.substring(6));
                rc[0] = 1;
              } else if (line.startsWith("lost ")) {
                System.err.println(
                    "warning: " + line.substring(5) + " publications dropped (reader too slow)");
              } else if (ready && !line.equals("alive")) {
                System.out.println(line);
                System.out.flush();
              }
            },
            session::set);
      } catch (IOException e) {
        if (stopping.get()) {
          return 0;
        }
        throw unreachable(e);
      }
      if (stopping.get()) {
        return 0;
      }
      if (rc[0] == 0) {
        System.err.println("error: the node at " + via + " ended the subscription (stopped?)");
      }
      return 1;
    }
  }
}
