package org.epost.simulator.cli;

import java.util.function.LongFunction;
import org.epost.simulator.api.SimulatedRing;
import org.epost.simulator.pastry.PastryRing;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of {@code simulator.jar}. One subcommand per experiment; {@code routing} is the
 * first, {@code storage} (PAST) and {@code multicast} (Scribe) will join it.
 */
@Command(
    name = "simulator",
    mixinStandardHelpOptions = true,
    version = "ePOST simulator 0.1.0",
    description = "Runs experiments on thousands of simulated ePOST nodes in virtual time.",
    subcommands = {
      RoutingCommand.class,
      org.epost.simulator.storage.StorageCommand.class,
      org.epost.simulator.multicast.MulticastCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SimulatorMain implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name an experiment, e.g. 'routing'");
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
    return cli;
  }
}
