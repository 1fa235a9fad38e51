package org.epost.simulator.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code -V}: the project version, written into the jar by the build. */
public final class VersionProvider implements CommandLine.IVersionProvider {

  /** The project version, or "unknown" outside a built jar. */
  public static String version() {
    Properties p = new Properties();
    try (InputStream in =
        VersionProvider.class.getResourceAsStream("/org/epost/simulator/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {"ePOST simulator " + version()};
  }
}
