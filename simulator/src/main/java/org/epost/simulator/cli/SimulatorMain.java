package org.epost.simulator.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.function.LongFunction;
import org.epost.simulator.api.SimulatedRing;
import org.epost.simulator.pastry.PastryRing;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code simulator.jar}: one subcommand per experiment ({@code routing}, {@code
 * storage}, {@code multicast}).
 *
 * <p>Exit codes: 0 done; 2 a command-line input error (unknown option, bad value, unusable output
 * folder), reported in one line that says what to do; 1 the run itself failed. A stack trace is
 * printed only with {@code --verbose}.
 */
@Command(
    name = "simulator",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Runs experiments on thousands of simulated ePOST nodes in virtual time.",
    subcommands = {
      RoutingCommand.class,
      org.epost.simulator.storage.StorageCommand.class,
      org.epost.simulator.multicast.MulticastCommand.class,
      org.epost.simulator.mail.MailCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SimulatorMain implements Runnable {

  /** Width of help texts: descriptions wrap at word boundaries within it. */
  static final int HELP_WIDTH = 100;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name an experiment: routing, storage, multicast or mail");
  }

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    System.exit(commandLine(PastryRing::create).execute(args));
  }

  /** The command line with every experiment wired to rings made by {@code rings} (seed to ring). */
  public static CommandLine commandLine(LongFunction<SimulatedRing> rings) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine cli =
        new CommandLine(
            new SimulatorMain(),
            new CommandLine.IFactory() {
              @Override
              public <K> K create(Class<K> cls) throws Exception {
                if (cls == RoutingCommand.class) {
                  return cls.cast(new RoutingCommand(rings));
                }
                return defaults.create(cls);
              }
            });
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setUsageHelpWidth(HELP_WIDTH);
    cli.setUsageHelpLongOptionsMaxWidth(30);
    cli.setParameterExceptionHandler(SimulatorMain::inputError);
    cli.setExecutionExceptionHandler(
        (e, cmd, parseResult) -> {
          if (e instanceof CommandLine.ParameterException pe) {
            return inputError(pe, parseResult.originalArgs().toArray(String[]::new));
          }
          PrintWriter err = cmd.getErr();
          err.println(
              commandPath(cmd)
                  + ": the run failed: "
                  + (e.getMessage() == null ? e.toString() : e.getMessage())
                  + (verbose(parseResult.originalArgs().toArray(String[]::new))
                      ? ""
                      : " (add --verbose for the stack trace)"));
          if (verbose(parseResult.originalArgs().toArray(String[]::new))) {
            e.printStackTrace(err);
          }
          err.flush();
          return 1;
        });
    return cli;
  }

  /** One line: what is wrong and where to look; exit code 2. */
  private static int inputError(CommandLine.ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = e.getMessage() == null ? e.toString() : e.getMessage().strip();
    if (message.endsWith(".")) {
      message = message.substring(0, message.length() - 1);
    }
    String path = commandPath(cmd);
    String help =
        cmd.getCommandSpec().parent() == null
            ? "java -jar simulator.jar --help"
            : "java -jar simulator.jar help " + cmd.getCommandName();
    err.println(path + ": " + message.replace('\n', ' ') + " (options: " + help + ")");
    if (verbose(args)) {
      e.printStackTrace(err);
    }
    err.flush();
    return 2;
  }

  private static String commandPath(CommandLine cmd) {
    return cmd.getCommandSpec().qualifiedName(" ");
  }

  private static boolean verbose(String[] args) {
    return Arrays.asList(args).contains("--verbose");
  }
}
