package org.epost.overlay.node;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.node.NodeCommand.UserError;
import picocli.CommandLine.Option;

/**
 * What the commands that talk to a running node share: the {@code --via}/{@code --data} options,
 * finding the node's data directory, and one way of opening a control session and turning its
 * failures into one-line errors (a timeout: the operation failed, exit 1; any other I/O error: the
 * node cannot be reached, exit 2).
 */
abstract class ClientCommand {
  @Option(
      names = "--via",
      required = true,
      description = "HOST:PORT (overlay address) of a running node on this machine")
  String via;

  @Option(
      names = "--data",
      description = "that node's data directory (default: looked up in the node registry)")
  Path data;

  /** The node's data directory, or a one-line error saying how to name it. */
  Path dataDir() {
    NodeCommand.parseHostPort(via);
    if (data != null) {
      return data;
    }
    try {
      return NodeDirectory.lookup(via);
    } catch (IOException e) {
      throw new UserError(e.getMessage(), e);
    }
  }

  /** One command with a one-line answer; an "error ..." answer becomes exit code 1. */
  String ask(String command, int timeoutMillis) {
    List<String> answer = call(command, timeoutMillis);
    if (answer.isEmpty()) {
      throw new IllegalStateException("the node at " + via + " closed without an answer");
    }
    String line = answer.get(0);
    if (line.startsWith("error busy")) {
      throw new UserError("the node at " + via + " is " + line.substring(6));
    }
    if (line.startsWith("error ")) {
      throw new IllegalStateException(line.substring(6));
    }
    return line;
  }

  /**
   * Sends {@code commands} over up to {@code parallel} connections (1..16) and returns their
   * one-line answers in order.
   */
  List<String> askAll(List<String> commands, int parallel) throws InterruptedException {
    if (parallel < 1 || parallel > 16) {
      throw new UserError("--parallel must be in 1..16, got " + parallel);
    }
    Path dir = dataDir();
    String[] answers = new String[commands.size()];
    java.util.concurrent.atomic.AtomicInteger next =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<RuntimeException> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < Math.min(parallel, commands.size()); t++) {
      Thread th =
          new Thread(
              () -> {
                try (ControlClient.Session s = ControlClient.Session.open(dir, 3_600_000)) {
                  int i;
                  while (failure.get() == null && (i = next.getAndIncrement()) < answers.length) {
                    String a = s.ask(commands.get(i));
                    if (a == null) {
                      throw new IOException("the node closed the connection");
                    }
                    if (a.startsWith("error busy")) {
                      throw new UserError("the node at " + via + " is " + a.substring(6));
                    }
                    answers[i] = a;
                  }
                } catch (IOException e) {
                  failure.compareAndSet(null, unreachable(e));
                } catch (RuntimeException e) {
                  failure.compareAndSet(null, e);
                }
              },
              "control-" + t);
      th.start();
      threads.add(th);
    }
    for (Thread th : threads) {
      th.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return List.of(answers);
  }

  List<String> call(String command, int timeoutMillis) {
    return onSession(timeoutMillis, s -> ControlClient.answer(s, command));
  }

  /** Work on one open control session. */
  interface SessionWork<T> {
    T run(ControlClient.Session session) throws IOException;
  }

  /**
   * Opens a control session with {@code timeoutMillis} per answer, runs {@code work} on it and
   * closes it; a timeout becomes "did not answer within N s", any other I/O error "cannot reach".
   */
  <T> T onSession(int timeoutMillis, SessionWork<T> work) {
    Path dir = dataDir();
    try (ControlClient.Session s = ControlClient.Session.open(dir, timeoutMillis)) {
      return work.run(s);
    } catch (java.net.SocketTimeoutException e) {
      throw noAnswer(timeoutMillis, e);
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  /** The node did not answer in time: the operation failed (exit 1). */
  IllegalStateException noAnswer(int timeoutMillis, Exception cause) {
    return new IllegalStateException(
        "the node at " + via + " did not answer within " + timeoutMillis / 1000 + " s", cause);
  }

  /** The node cannot be reached (exit 2). */
  UserError unreachable(IOException e) {
    return new UserError("cannot reach the node at " + via + ": " + e.getMessage(), e);
  }

  static String strip(String answer) {
    return answer.startsWith("error ") ? answer.substring(6) : answer;
  }

  static void checkTopic(String topic) {
    if (topic.isEmpty() || topic.length() > 200 || !topic.matches("\\S+")) {
      throw new UserError("TOPIC must be 1..200 characters without spaces, got '" + topic + "'");
    }
  }
}
