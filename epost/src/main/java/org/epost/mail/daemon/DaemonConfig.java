package org.epost.mail.daemon;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.epost.mail.submit.SmtpWiring;
import org.epost.overlay.node.api.HostPort;

/**
 * The daemon's configuration: {@code DATA/epost.properties}, Java properties, every key optional
 * and defaulted ({@link Key}). {@code epost init} writes a sample with every key, its default and
 * what it does; an unknown key or a bad value is refused at start with the file, the key and what
 * is expected, so a typo never silently falls back to a default.
 */
public final class DaemonConfig {
  /** Every key: name, default, and what it does (the sample file's comments). */
  public enum Key {
    NODE_LISTEN(
        "node.listen",
        "127.0.0.1:7600",
        "HOST:PORT the node listens on for the ring (Pastry, PAST, Scribe over TLS). Use an address"
            + " the other members reach; port 0 picks a free port at every start."),
    NODE_BOOTSTRAP(
        "node.bootstrap",
        "",
        "Comma-separated HOST:PORT of ring members to join through. Empty: the bootstraps in"
            + " ring/invitation; none there either: this node starts a new ring."),
    NODE_QUOTA(
        "node.quota",
        "10g",
        "Disk this node lends the ring for replicas (PAST), with k, m or g suffix; at least 1m."),
    NODE_READY_TIMEOUT(
        "node.ready-timeout-seconds",
        "120",
        "How long 'epost run' waits for the node to join the ring before it gives up."),
    IMAP_LISTEN(
        "imap.listen",
        "127.0.0.1:1143",
        "Where the IMAP proxy listens for mail clients. Keep it on loopback: the proxy speaks"
            + " plain IMAP, protected by the per-account proxy password."),
    SMTP_LISTEN(
        "smtp.listen",
        "127.0.0.1:1587",
        "Where SMTP submission listens for mail clients (AUTH PLAIN/LOGIN with the proxy"
            + " password). Keep it on loopback."),
    SMTP_HOSTNAME("smtp.hostname", "localhost", "The name SMTP submission greets with."),
    SMTP_MAX_MESSAGE_BYTES(
        "smtp.max-message-bytes",
        "50m",
        "Largest message accepted for submission (SIZE), with k, m or g suffix."),
    RING_DOMAINS(
        "ring.domains",
        "",
        "Comma-separated mail domains whose addresses live on the ring. Empty: the domains in"
            + " ring/invitation, else those of this directory's accounts."),
    GATEWAY_ACCOUNTS(
        "delivery.gateway-accounts",
        "",
        "Comma-separated ring accounts of the ring's Internet gateways (epost gateway). Mail they"
            + " announce is filed as from the Internet, unauthenticated; from any other account it"
            + " is ring mail, its sender verified."),
    SMARTHOST_HOST(
        "smarthost.host",
        "",
        "Host of the SMTP smarthost that carries mail to the Internet. Empty: mail to addresses"
            + " outside the ring is refused at RCPT with a permanent error."),
    SMARTHOST_PORT("smarthost.port", "587", "Port of the smarthost (its submission port)."),
    SMARTHOST_TLS(
        "smarthost.tls",
        "required",
        "How the connection to the smarthost is protected: required (STARTTLS, the smarthost's"
            + " certificate checked against the JVM's trust store; a smarthost without it keeps"
            + " the mail queued), opportunistic (STARTTLS when offered, else clear text) or none"
            + " (clear text). Clear text carries the AUTH password only to a smarthost on"
            + " loopback."),
    SMARTHOST_USER("smarthost.user", "", "User name for AUTH at the smarthost; empty: no AUTH."),
    SMARTHOST_PASSWORD_FILE(
        "smarthost.password-file",
        "",
        "File holding the smarthost password on its first line (keep it 0600)."),
    GATEWAY_LISTEN(
        "gateway.listen",
        "",
        "HOST:PORT of the Internet gateway (epost gateway; ADR 0128): accepts mail from anyone for"
            + " the ring's users only, never relays, stores it as the gateway account. Empty: no"
            + " gateway. A public gateway listens on 0.0.0.0:25 and is the ring domains' MX."),
    GATEWAY_ACCOUNT(
        "gateway.account",
        "",
        "The enrolled account the gateway stores Internet mail as (for example"
            + " gateway@ring.example; list it in every member's delivery.gateway-accounts). Its"
            + " INBOX gets the reports for mail it could not deliver. Empty: this directory's"
            + " only account."),
    GATEWAY_HOSTNAME(
        "gateway.hostname",
        "",
        "The name the gateway greets with and writes into Received lines: the MX host name."
            + " Empty: smtp.hostname."),
    GATEWAY_MESSAGES_PER_MINUTE(
        "gateway.messages-per-minute",
        "30",
        "Messages one client IP may send to the gateway per minute; more get 450 4.7.1."),
    GATEWAY_CONNECTIONS_PER_IP(
        "gateway.connections-per-ip",
        "5",
        "Simultaneous connections one client IP may hold to the gateway; more get 421 4.7.0."),
    SHUTDOWN_GRACE(
        "shutdown.grace-seconds",
        "30",
        "On SIGTERM, how long submissions in flight may take to finish before they are refused"
            + " with a 4xx reply (the client retries; nothing acknowledged is lost)."),
    // ---- desktop (issue 18) ----
    STATUS_LISTEN(
        "status.listen",
        "127.0.0.1:1180",
        "Where the local status page listens (loopback only; 'off': no page). Open it from the"
            + " tray or with 'epost status --page'; it wants the node's control token."),
    TRAY_ENABLED(
        "tray.enabled",
        "auto",
        "The desktop tray icon of 'epost run': 'auto' when a desktop session is present (DISPLAY"
            + " or WAYLAND_DISPLAY set), 'on', or 'off'.");

    private final String name;
    private final String defaultValue;
    private final String doc;

    Key(String name, String defaultValue, String doc) {
      this.name = name;
      this.defaultValue = defaultValue;
      this.doc = doc;
    }

    public String key() {
      return name;
    }

    public String defaultValue() {
      return defaultValue;
    }

    public String doc() {
      return doc;
    }

    static Optional<Key> byName(String name) {
      for (Key k : values()) {
        if (k.name.equals(name)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  private final Path source;
  private final Map<Key, String> values;

  private DaemonConfig(Path source, Map<Key, String> values) {
    this.source = source;
    this.values = values;
    // validate every typed key now: a bad value stops the start, naming the key
    nodeListen();
    nodeBootstraps();
    nodeQuotaBytes();
    nodeReadyTimeout();
    imapListen();
    smtpListen();
    trayEnabled();
    smtpMaxMessageBytes();
    ringDomains();
    smarthostPort();
    smarthostTls();
    gatewayListen();
    gatewayAccount();
    gatewayMessagesPerMinute();
    gatewayConnectionsPerIp();
    shutdownGrace();
    statusListen();
  }

  /** Every key at its default. */
  public static DaemonConfig defaults() {
    return new DaemonConfig(null, defaultsMap());
  }

  private static Map<Key, String> defaultsMap() {
    Map<Key, String> m = new LinkedHashMap<>();
    for (Key k : Key.values()) {
      m.put(k, k.defaultValue);
    }
    return m;
  }

  /** Reads {@code file}; a missing file is every default. */
  public static DaemonConfig load(Path file) throws IOException {
    if (!Files.exists(file)) {
      return new DaemonConfig(file, defaultsMap());
    }
    return parse(file, Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Parses a configuration file's text (checks every key and value). */
  public static DaemonConfig parseText(String text) throws IOException {
    return parse(null, text);
  }

  static DaemonConfig parse(Path source, String text) throws IOException {
    Properties p = new Properties();
    try (Reader r = new StringReader(text)) {
      p.load(r);
    }
    Map<Key, String> m = defaultsMap();
    for (String name : p.stringPropertyNames()) {
      Key k =
          Key.byName(name)
              .orElseThrow(
                  () ->
                      new ConfigException(
                          source
                              + ": unknown key '"
                              + name
                              + "' (the sample from 'epost init'"
                              + " lists every key)"));
      m.put(k, p.getProperty(name).trim());
    }
    return new DaemonConfig(source, m);
  }

  /** This configuration with {@code key} set to {@code value} (checked). */
  public DaemonConfig with(Key key, String value) {
    Map<Key, String> m = new LinkedHashMap<>(values);
    m.put(key, value);
    return new DaemonConfig(source, m);
  }

  /** The sample file: every key at its default (commented) with what it does. */
  public static String sample() {
    StringBuilder sb = new StringBuilder();
    sb.append("# ePOST daemon configuration (Java properties). Every key is optional; the value\n");
    sb.append("# shown is the default. Uncomment a line to change it. See docs/adr/0120.\n");
    for (Key k : Key.values()) {
      sb.append('\n');
      for (String line : wrap(k.doc, 96)) {
        sb.append("# ").append(line).append('\n');
      }
      sb.append("#").append(k.name).append(" = ").append(k.defaultValue).append('\n');
    }
    return sb.toString();
  }

  /** The sample with {@code key = value} lines set (for init's options and the demo). */
  public static String sample(Map<Key, String> set) {
    StringBuilder sb = new StringBuilder(sample());
    if (!set.isEmpty()) {
      sb.append("\n# set by epost init\n");
      set.forEach((k, v) -> sb.append(k.name).append(" = ").append(v).append('\n'));
    }
    return sb.toString();
  }

  private static List<String> wrap(String text, int width) {
    List<String> out = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String w : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + w.length() > width) {
        out.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(w);
    }
    if (line.length() > 0) {
      out.add(line.toString());
    }
    return out;
  }

  public String get(Key k) {
    return values.get(k);
  }

  public InetSocketAddress nodeListen() {
    return hostPort(Key.NODE_LISTEN);
  }

  /** Configured bootstraps (possibly empty; the invitation's are the caller's fallback). */
  public List<InetSocketAddress> nodeBootstraps() {
    return hostPorts(Key.NODE_BOOTSTRAP);
  }

  public long nodeQuotaBytes() {
    long q = size(Key.NODE_QUOTA);
    if (q < (1L << 20)) {
      throw bad(Key.NODE_QUOTA, "at least 1m");
    }
    return q;
  }

  public Duration nodeReadyTimeout() {
    return Duration.ofSeconds(positiveInt(Key.NODE_READY_TIMEOUT));
  }

  public InetSocketAddress imapListen() {
    return hostPort(Key.IMAP_LISTEN);
  }

  public InetSocketAddress smtpListen() {
    return hostPort(Key.SMTP_LISTEN);
  }

  public String smtpHostname() {
    return get(Key.SMTP_HOSTNAME);
  }

  public long smtpMaxMessageBytes() {
    long s = size(Key.SMTP_MAX_MESSAGE_BYTES);
    if (s < 1024) {
      throw bad(Key.SMTP_MAX_MESSAGE_BYTES, "at least 1k");
    }
    return s;
  }

  /** Configured ring domains, lower case (possibly empty). */
  public List<String> ringDomains() {
    List<String> out = new ArrayList<>();
    for (String d : get(Key.RING_DOMAINS).split(",")) {
      String t = d.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        continue;
      }
      if (!t.matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?")) {
        throw bad(Key.RING_DOMAINS, "domain names separated by commas, got '" + d.trim() + "'");
      }
      out.add(t);
    }
    return out;
  }

  /** The ring accounts trusted as Internet gateways, lower case (possibly empty). */
  public List<String> gatewayAccounts() {
    List<String> out = new ArrayList<>();
    for (String a : get(Key.GATEWAY_ACCOUNTS).split(",")) {
      String t = a.trim().toLowerCase(Locale.ROOT);
      if (t.isEmpty()) {
        continue;
      }
      if (t.indexOf('@') <= 0 || t.indexOf('@') != t.lastIndexOf('@')) {
        throw bad(Key.GATEWAY_ACCOUNTS, "addresses separated by commas, got '" + a.trim() + "'");
      }
      out.add(t);
    }
    return out;
  }

  /** The smarthost, if one is configured. */
  public Optional<String> smarthostHost() {
    String h = get(Key.SMARTHOST_HOST);
    return h.isEmpty() ? Optional.empty() : Optional.of(h);
  }

  public int smarthostPort() {
    int p = positiveInt(Key.SMARTHOST_PORT);
    if (p > 65535) {
      throw bad(Key.SMARTHOST_PORT, "a port number");
    }
    return p;
  }

  /** How the smarthost connection is protected ({@code smarthost.tls}). */
  public SmtpWiring.SmarthostTls smarthostTls() {
    return switch (get(Key.SMARTHOST_TLS).toLowerCase(Locale.ROOT)) {
      case "required" -> SmtpWiring.SmarthostTls.STARTTLS;
      case "opportunistic" -> SmtpWiring.SmarthostTls.OPPORTUNISTIC;
      case "none" -> SmtpWiring.SmarthostTls.NONE;
      default -> throw bad(Key.SMARTHOST_TLS, "one of required, opportunistic, none");
    };
  }

  /** Where the Internet gateway listens, if it runs. */
  public Optional<InetSocketAddress> gatewayListen() {
    return get(Key.GATEWAY_LISTEN).isEmpty()
        ? Optional.empty()
        : Optional.of(hostPort(Key.GATEWAY_LISTEN));
  }

  /** The account the gateway stores as, lower case, if configured. */
  public Optional<String> gatewayAccount() {
    String a = get(Key.GATEWAY_ACCOUNT).trim().toLowerCase(Locale.ROOT);
    if (a.isEmpty()) {
      return Optional.empty();
    }
    if (a.indexOf('@') <= 0 || a.indexOf('@') != a.lastIndexOf('@')) {
      throw bad(Key.GATEWAY_ACCOUNT, "an address");
    }
    return Optional.of(a);
  }

  /** {@code tray.enabled}: {@code auto}, {@code on} or {@code off}. */
  public String trayEnabled() {
    String v = get(Key.TRAY_ENABLED).trim().toLowerCase(Locale.ROOT);
    if (!v.equals("auto") && !v.equals("on") && !v.equals("off")) {
      throw bad(Key.TRAY_ENABLED, "auto, on or off");
    }
    return v;
  }

  /** Where the status page listens (loopback), or empty when it is off. */
  public Optional<InetSocketAddress> statusListen() {
    String v = get(Key.STATUS_LISTEN);
    if (v.equalsIgnoreCase("off")) {
      return Optional.empty();
    }
    InetSocketAddress a = hostPort(Key.STATUS_LISTEN);
    if (!a.getAddress().isLoopbackAddress()) {
      throw bad(Key.STATUS_LISTEN, "a loopback HOST:PORT (127.0.0.1 or [::1]) or 'off'");
    }
    return Optional.of(a);
  }

  /** The gateway's greeting name: {@code gateway.hostname}, else {@code smtp.hostname}. */
  public String gatewayHostname() {
    String h = get(Key.GATEWAY_HOSTNAME);
    return h.isEmpty() ? smtpHostname() : h;
  }

  public int gatewayMessagesPerMinute() {
    return positiveInt(Key.GATEWAY_MESSAGES_PER_MINUTE);
  }

  public int gatewayConnectionsPerIp() {
    return positiveInt(Key.GATEWAY_CONNECTIONS_PER_IP);
  }

  public Duration shutdownGrace() {
    return Duration.ofSeconds(positiveInt(Key.SHUTDOWN_GRACE));
  }

  private int positiveInt(Key k) {
    try {
      int v = Integer.parseInt(get(k));
      if (v <= 0) {
        throw bad(k, "a positive whole number");
      }
      return v;
    } catch (NumberFormatException e) {
      throw bad(k, "a positive whole number");
    }
  }

  private long size(Key k) {
    try {
      return parseSize(get(k));
    } catch (IllegalArgumentException e) {
      throw bad(k, "a size such as 512k, 50m or 10g");
    }
  }

  /** "10g", "512k", "1048576": bytes. */
  static long parseSize(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (t.endsWith("k")) {
      unit = 1L << 10;
    } else if (t.endsWith("m")) {
      unit = 1L << 20;
    } else if (t.endsWith("g")) {
      unit = 1L << 30;
    }
    String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
    if (!digits.matches("\\d{1,12}")) {
      throw new IllegalArgumentException(s);
    }
    return Math.multiplyExact(Long.parseLong(digits), unit);
  }

  private InetSocketAddress hostPort(Key k) {
    return parseHostPort(get(k), k);
  }

  private List<InetSocketAddress> hostPorts(Key k) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String s : get(k).split(",")) {
      if (!s.isBlank()) {
        out.add(parseHostPort(s.trim(), k));
      }
    }
    return out;
  }

  /** Parses HOST:PORT (IPv6 in brackets) for a command-line option. */
  public static InetSocketAddress hostPort(String s) {
    return parseHostPort(s, null);
  }

  /** Parses HOST:PORT (IPv6 in brackets); {@code k} names the key in the error (null: none). */
  static InetSocketAddress parseHostPort(String s, Key k) {
    try {
      return HostPort.parse(s);
    } catch (IllegalArgumentException e) {
      throw badValue(k, s, e.getMessage());
    }
  }

  private ConfigException bad(Key k, String expected) {
    return badValue(k, get(k), expected);
  }

  private static ConfigException badValue(Key k, String value, String expected) {
    return new ConfigException(
        (k == null ? "" : k.name + " = ") + "'" + value + "' is not " + expected);
  }

  @Override
  public String toString() {
    return "DaemonConfig(" + (source == null ? "defaults" : source) + ")";
  }

  /** A configuration value is wrong; the message names the key, the value and what is expected. */
  public static final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
      super(message);
    }
  }
}
