package org.epost.overlay.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.epost.overlay.node.NodeCommand.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code put} and {@code get}: files stored in and fetched from PAST through a running node. */
final class StorageCommands {
  private StorageCommands() {}

  @Command(
      name = "put",
      description =
          "Store FILEs in PAST through a running node on this machine; prints each object's id (40"
              + " hex), one line per FILE in order. Files over 56 KiB are stored in chunks under a"
              + " manifest; the id is the manifest's.")
  static final class Put extends ClientCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the files to store")
    List<Path> files;

    @Option(
        names = "--parallel",
        description = "files stored at once (default ${DEFAULT-VALUE}, at most 16)")
    int parallel = 4;

    @Override
    public Integer call() throws Exception {
      List<String> commands = new ArrayList<>();
      for (Path file : files) {
        Path abs = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(abs)) {
          throw new UserError(abs + " is not a file; give an existing file to store");
        }
        if (!Files.isReadable(abs)) {
          throw new UserError(abs + " is not readable; check its permissions");
        }
        commands.add("PUT " + abs);
      }
      List<String> answers = askAll(commands, parallel);
      int failed = 0;
      for (int i = 0; i < answers.size(); i++) {
        String[] f = answers.get(i).split(" ");
        if (f[0].equals("stored") && f.length >= 2) {
          System.out.println(f[1]);
        } else {
          failed++;
          System.out.println("error");
          System.err.println("error: " + files.get(i) + ": " + strip(answers.get(i)));
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  @Command(
      name = "get",
      description =
          "Fetch objects (ids as printed by put) through a running node on this machine, verified"
              + " chunk by chunk and as a whole; one ID with --out FILE, or several with --out-dir"
              + " DIR (each written to DIR/ID).")
  static final class Get extends ClientCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "ID", description = "40 hex digits")
    List<String> ids;

    @Option(names = "--out", description = "file to write (must not exist); one ID only")
    Path out;

    @Option(names = "--out-dir", description = "directory to write DIR/ID into")
    Path outDir;

    @Option(
        names = "--parallel",
        description = "objects fetched at once (default ${DEFAULT-VALUE}, at most 16)")
    int parallel = 4;

    @Override
    public Integer call() throws Exception {
      if ((out == null) == (outDir == null)) {
        throw new UserError("give either --out FILE (one ID) or --out-dir DIR");
      }
      if (out != null && ids.size() != 1) {
        throw new UserError("--out takes one ID; use --out-dir DIR for several");
      }
      List<String> commands = new ArrayList<>();
      for (String id : ids) {
        if (!id.matches("[0-9a-fA-F]{40}")) {
          throw new UserError("ID must be 40 hex digits, got '" + id + "'");
        }
        Path abs =
            (out != null ? out : outDir.resolve(id.toLowerCase(java.util.Locale.ROOT)))
                .toAbsolutePath()
                .normalize();
        if (Files.exists(abs)) {
          throw new UserError(abs + " exists; remove it or choose another --out");
        }
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
          throw new UserError("cannot write into " + dir + "; choose a writable directory");
        }
        commands.add("GET " + id.toLowerCase(java.util.Locale.ROOT) + " " + abs);
      }
      List<String> answers = askAll(commands, parallel);
      int failed = 0;
      for (int i = 0; i < answers.size(); i++) {
        if (!answers.get(i).startsWith("got ")) {
          failed++;
          System.err.println("error: " + ids.get(i) + ": " + strip(answers.get(i)));
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }
}
