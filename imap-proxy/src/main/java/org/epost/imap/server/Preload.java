package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Loads every class a connection may need while file descriptors are plentiful (at start). A JVM
 * that fails to load a class because descriptors ran out remembers the failure for good (JVMS
 * 5.4.3), so a server first exercised during a connection flood could stay broken after it. Loads
 * this module's classes from its jar or class directory, then runs one loopback session (greeting,
 * CAPABILITY, LOGOUT) so the Netty classes on the accept, read, write and close paths are loaded.
 */
final class Preload {
  private static final System.Logger LOG = System.getLogger(Preload.class.getName());

  private Preload() {}

  static void warmUp(InetSocketAddress server) {
    try {
      for (String name : moduleClasses()) {
        Class.forName(name, false, Preload.class.getClassLoader());
      }
    } catch (IOException | URISyntaxException | ClassNotFoundException | LinkageError e) {
      LOG.log(Level.WARNING, "could not preload the IMAP server's classes", e);
    }
    try {
      // logging a warning formats a date, which loads the time zone data from a file
      new java.util.logging.SimpleFormatter()
          .format(new java.util.logging.LogRecord(java.util.logging.Level.WARNING, "warm-up"));
      java.time.ZonedDateTime.now().toString();
    } catch (RuntimeException | LinkageError e) {
      LOG.log(Level.WARNING, "could not prepare logging", e);
    }
    try (Socket s = new Socket(server.getAddress(), server.getPort())) {
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write("w1 CAPABILITY\r\nw2 LOGOUT\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      while (in.read(buf) >= 0) {
        // until the server closes after LOGOUT
      }
    } catch (IOException e) {
      LOG.log(Level.WARNING, "warm-up connection to the IMAP server failed", e);
    }
  }

  private static List<String> moduleClasses() throws IOException, URISyntaxException {
    List<String> names = new ArrayList<>();
    CodeSource source = Preload.class.getProtectionDomain().getCodeSource();
    if (source == null) {
      return names;
    }
    URL location = source.getLocation();
    Path path = Path.of(location.toURI());
    if (Files.isDirectory(path)) {
      Path root = path.resolve("org/epost/imap");
      if (Files.isDirectory(root)) {
        try (Stream<Path> files = Files.walk(root)) {
          files
              .filter(f -> f.toString().endsWith(".class"))
              .forEach(f -> names.add(className(path.relativize(f).toString())));
        }
      }
    } else {
      try (JarFile jar = new JarFile(path.toFile())) {
        Enumeration<JarEntry> entries = jar.entries();
        while (entries.hasMoreElements()) {
          String n = entries.nextElement().getName();
          if (n.startsWith("org/epost/imap/") && n.endsWith(".class")) {
            names.add(className(n));
          }
        }
      }
    }
    return names;
  }

  private static String className(String file) {
    return file.substring(0, file.length() - ".class".length())
        .replace('/', '.')
        .replace('\\', '.');
  }
}
