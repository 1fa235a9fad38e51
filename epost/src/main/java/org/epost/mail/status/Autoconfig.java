package org.epost.mail.status;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.epost.mail.api.ClientSettings;

/**
 * Thunderbird's autoconfig document (Mozilla's "config-v1.1.xml" format: {@code clientConfig}
 * version 1.1 with one {@code emailProvider}, its {@code incomingServer type="imap"} and {@code
 * outgoingServer type="smtp"}) for one local account: the daemon's loopback proxies, plain sockets
 * (the connection never leaves the machine), {@code password-cleartext}, the address as user name.
 * It holds no secret (no password), so the status page serves it without the token (ADR 0133).
 */
final class Autoconfig {
  /** The paths Thunderbird asks (the domain's well-known path, and the autoconfig host's path). */
  static final List<String> PATHS =
      List.of("/.well-known/autoconfig/mail/config-v1.1.xml", "/mail/config-v1.1.xml");

  private Autoconfig() {}

  /**
   * The account {@code rawQuery}'s {@code emailaddress} names among {@code accounts}; without
   * {@code emailaddress}, the only account when there is exactly one.
   */
  static Optional<ClientSettings> choose(String rawQuery, List<ClientSettings> accounts) {
    String wanted = null;
    if (rawQuery != null) {
      for (String kv : rawQuery.split("&")) {
        if (kv.startsWith("emailaddress=")) {
          try {
            wanted = URLDecoder.decode(kv.substring(13), StandardCharsets.UTF_8).trim();
          } catch (IllegalArgumentException e) {
            return Optional.empty();
          }
        }
      }
    }
    if (wanted == null) {
      return accounts.size() == 1 ? Optional.of(accounts.get(0)) : Optional.empty();
    }
    String w = wanted.toLowerCase(Locale.ROOT);
    return accounts.stream()
        .filter(a -> a.address().toLowerCase(Locale.ROOT).equals(w))
        .findFirst();
  }

  /** The document for {@code a}. */
  static String document(ClientSettings a) {
    String address = Html.escape(a.address());
    String domain = Html.escape(a.domain());
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        + "<clientConfig version=\"1.1\">\n"
        + "  <emailProvider id=\""
        + domain
        + "\">\n"
        + "    <domain>"
        + domain
        + "</domain>\n"
        + "    <displayName>ePOST ("
        + domain
        + ")</displayName>\n"
        + "    <displayShortName>ePOST</displayShortName>\n"
        + server("incomingServer", "imap", a.imapHost(), a.imap().getPort(), address, "")
        + server(
            "outgoingServer",
            "smtp",
            a.smtpHost(),
            a.smtp().getPort(),
            address,
            "      <addThisServer>true</addThisServer>\n"
                + "      <useGlobalPreferredServer>false</useGlobalPreferredServer>\n")
        + "  </emailProvider>\n"
        + "</clientConfig>\n";
  }

  private static String server(
      String element, String type, String host, int port, String user, String extra) {
    return "    <"
        + element
        + " type=\""
        + type
        + "\">\n      <hostname>"
        + Html.escape(host)
        + "</hostname>\n      <port>"
        + port
        + "</port>\n      <socketType>plain</socketType>\n      <username>"
        + user
        + "</username>\n      <authentication>password-cleartext</authentication>\n"
        + extra
        + "    </"
        + element
        + ">\n";
  }
}
