package org.epost.overlay.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends one command to a node's control port (see {@link ControlServer}) and returns the answer
 * lines.
 */
final class ControlClient {
  private ControlClient() {}

  static List<String> call(Path dataDir, String command, int timeoutMillis) throws IOException {
    NodeDirectory.ControlEndpoint ep = NodeDirectory.readControl(dataDir);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ep.port()), 5_000);
      s.setSoTimeout(timeoutMillis);
      Writer out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
      out.write("AUTH " + ep.token() + "\n" + command + "\n");
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = in.readLine()) != null && !line.equals("end")) {
        lines.add(line);
        if (lines.size() > 10_000) {
          throw new IOException("control answer too long");
        }
      }
      return lines;
    } catch (java.net.ConnectException e) {
      throw new IOException(
          "no node answers on control port " + ep.port() + " (stale " + dataDir + "/control?)", e);
    }
  }
}
