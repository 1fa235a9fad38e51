package org.epost.overlay.node.api;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code HOST:PORT} as operators write it (IPv6 addresses in brackets), for commands and configs.
 */
public final class HostPort {
  private HostPort() {}

  /**
   * Parses {@code HOST:PORT}, resolving the host.
   *
   * @throws IllegalArgumentException whose message says what was expected instead (for example "a
   *     port between 0 and 65535"), for the caller to put beside the key or option it came from
   */
  public static InetSocketAddress parse(String s) {
    int colon = s.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("HOST:PORT");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(s.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("HOST:PORT with a numeric port");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("a port between 0 and 65535");
    }
    try {
      return new InetSocketAddress(InetAddress.getByName(host), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("a host this machine can resolve");
    }
  }
}
