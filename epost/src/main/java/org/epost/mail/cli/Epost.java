package org.epost.mail.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.epost.mail.daemon.DataDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code epost} command: {@code init}, {@code ring init|sign}, {@code enrol}, {@code run},
 * {@code gateway}, {@code status}, {@code account}, {@code mail status}, {@code demo}. Every
 * command works on one data directory ({@code --data}, default {@code $EPOST_DATA} or {@code
 * ~/.epost}).
 *
 * <p>Exit codes: 0 success; 1 the operation failed (the daemon reported an error, a message is
 * unknown); 2 the command line or environment is wrong (unknown option, missing file, wrong
 * passphrase, daemon not running), with one line on stderr saying what and what to do; {@code
 * --verbose} adds the stack trace.
 */
@Command(
    name = "epost",
    mixinStandardHelpOptions = true,
    versionProvider = Epost.Version.class,
    description =
        "ePOST: peer-to-peer email for desktops. Mail clients use the local IMAP and SMTP.",
    subcommands = {
      CommandLine.HelpCommand.class,
      InitCommand.class,
      SetupCommand.class,
      RingCommand.class,
      EnrolCommand.class,
      RunCommand.class,
      GatewayCommand.class,
      StatusCommand.class,
      AccountCommand.class,
      MailCommand.class,
      DemoCommand.class
    })
public final class Epost implements Callable<Integer> {
  static volatile boolean verbose;

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "print stack traces with error messages")
  void setVerbose(boolean v) {
    verbose = v;
  }

  public static void main(String[] args) {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
    }
    System.exit(execute(args));
  }

  /** Runs a command line; returns the exit code. */
  static int execute(String... args) {
    for (String a : args) {
      if (a.equals("--verbose")) {
        verbose = true;
      }
    }
    CommandLine cl = new CommandLine(new Epost());
    cl.setExecutionExceptionHandler(
        (ex, line, parsed) -> {
          if (ex instanceof UserError u) {
            System.err.println("error: " + u.getMessage());
            if (verbose && u.getCause() != null) {
              u.getCause().printStackTrace();
            }
            return 2;
          }
          System.err.println(
              "error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
          if (verbose) {
            ex.printStackTrace();
          }
          return 1;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  /** A mistake of the command line or environment: exit code 2, one line. */
  static final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
      super(message);
    }

    UserError(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** The data-directory option every command shares. */
  static final class DataOption {
    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "the data directory (default: $EPOST_DATA, else ~/.epost)")
    Path data;

    Path path() {
      if (data != null) {
        return data;
      }
      String env = System.getenv("EPOST_DATA");
      return env != null && !env.isEmpty()
          ? Path.of(env)
          : Path.of(System.getProperty("user.home"), ".epost");
    }

    DataDirectory open() {
      try {
        return DataDirectory.open(path());
      } catch (IOException e) {
        throw new UserError(e.getMessage(), e);
      }
    }

    DataDirectory existing() {
      try {
        return DataDirectory.existing(path());
      } catch (IOException e) {
        throw new UserError(e.getMessage(), e);
      }
    }
  }

  /** The passphrase option of commands that unwrap or write key files. */
  static final class PassphraseOption {
    @Option(
        names = "--passphrase-file",
        paramLabel = "FILE",
        description =
            "file whose first line is the key files' passphrase (else $EPOST_PASSPHRASE, else a"
                + " prompt)")
    Path file;

    char[] get(String prompt, boolean confirm) {
      try {
        return org.epost.mail.daemon.Passphrases.obtain(file, prompt, confirm);
      } catch (IOException e) {
        throw new UserError(e.getMessage(), e);
      }
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Epost.class.getPackage().getImplementationVersion();
      return new String[] {"epost " + (v == null ? "(development build)" : v)};
    }
  }
}
