package org.epost.simulator.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.epost.simulator.api.ProgressListener;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every experiment shares: where its files go, how it shows progress, and how much it
 * says when it fails. A picocli mixin; {@link #outputDirectory} checks the folder before the run.
 */
public final class RunOptions {

  /** How progress reaches stderr. */
  public enum ProgressMode {
    AUTO,
    LINES,
    NONE
  }

  /** Reads auto, lines or none in any case, whatever the command line's own settings. */
  static final class ModeConverter implements CommandLine.ITypeConverter<ProgressMode> {
    @Override
    public ProgressMode convert(String value) {
      try {
        return ProgressMode.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a progress mode; use auto, lines or none");
      }
    }
  }

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Output folder (default: a new folder runs/<experiment>-<seed>-<date-time>). An existing"
              + " non-empty folder is refused unless --force is given.")
  Path out;

  @Option(
      names = "--force",
      description = "Write into an existing non-empty --out folder, replacing its files.")
  boolean force;

  @Option(
      names = "--progress",
      defaultValue = "auto",
      paramLabel = "auto|lines|none",
      converter = ModeConverter.class,
      description =
          "Progress on stderr: auto (redrawn in place on a terminal, lines otherwise), lines, or"
              + " none (default: ${DEFAULT-VALUE}).")
  ProgressMode progress;

  @Option(names = "--quiet", description = "No progress on stderr (same as --progress none).")
  boolean quiet;

  @Option(names = "--verbose", description = "Print the stack trace of an error.")
  boolean verbose;

  private boolean drewInPlace;

  /**
   * The folder the run writes to, created and checked writable now, before any simulation: the
   * explicit {@code --out} (refused if it exists and is not empty, unless {@code --force}), or a
   * fresh {@code runs/<experiment>-<seed>-<date-time>} folder.
   *
   * @throws CommandLine.ParameterException with a one-line message when the folder is unusable
   */
  public Path outputDirectory(CommandSpec spec, String experiment, long seed) {
    Path dir = out != null ? out : freshDefault(experiment, seed);
    if (out != null && !force && isNonEmptyDirectory(dir)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--out "
              + dir
              + " already holds files; name a new folder, or add --force to replace them");
    }
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
      Files.delete(probe);
    } catch (IOException | SecurityException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "cannot write to --out "
              + dir
              + " ("
              + describe(e)
              + "); name a folder you can write to");
    }
    return dir;
  }

  private static Path freshDefault(String experiment, long seed) {
    String stamp =
        LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
    Path base = Paths.get("runs", experiment + "-" + seed + "-" + stamp);
    Path dir = base;
    for (int i = 2; Files.exists(dir); i++) {
      dir = Paths.get(base + "-" + i);
    }
    return dir;
  }

  private static boolean isNonEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      return true; // unreadable: let the write check report it
    }
  }

  private static String describe(Exception e) {
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException) {
      return "a file is in the way";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such folder";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private ProgressMode mode() {
    return quiet ? ProgressMode.NONE : progress;
  }

  private boolean inPlace() {
    return mode() == ProgressMode.AUTO && System.console() != null;
  }

  /** A progress bar on stderr for an experiment that reports simulated time. */
  public ProgressListener progressBar() {
    return mode() == ProgressMode.NONE
        ? ProgressListener.NONE
        : new ProgressBar(System.err, inPlace());
  }

  /** Progress lines on stderr for an experiment that reports text; redrawn in place on a tty. */
  public Consumer<String> progressLines() {
    if (mode() == ProgressMode.NONE) {
      return line -> {};
    }
    PrintStream err = System.err;
    if (!inPlace()) {
      return line -> {
        err.println(line);
        err.flush();
      };
    }
    return line -> {
      err.print("\r" + line + "\u001b[K");
      err.flush();
      drewInPlace = true;
    };
  }

  /** Ends a progress line drawn in place, so that the summary starts on a fresh line. */
  public void finishProgress(ProgressListener bar) {
    if (bar instanceof ProgressBar b) {
      b.finish();
    }
    if (drewInPlace) {
      System.err.println();
      System.err.flush();
    }
  }

  /** Whether {@code --verbose} was given. */
  public boolean verbose() {
    return verbose;
  }
}
