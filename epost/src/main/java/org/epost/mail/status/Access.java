package org.epost.mail.status;

import com.sun.net.httpserver.Headers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Who may read the status page (ADR 0131). A request passes when all of these hold:
 *
 * <ul>
 *   <li>its {@code Host} names loopback ({@code 127.0.0.1}, {@code [::1]} or {@code localhost})
 *       with the page's port: a page loaded from another name that resolves to 127.0.0.1 (DNS
 *       rebinding) sends that other name and is refused;
 *   <li>an {@code Origin}, when sent, is this page's own ({@code http://HOST:PORT} as above), and
 *       {@code Sec-Fetch-Site}, when sent, is not {@code cross-site};
 *   <li>it carries the node's control token as {@code Authorization: Bearer TOKEN}, or the cookie
 *       of a session opened by a one-time ticket ({@link #newTicket}; the tray and {@code epost
 *       status --page} mint them), set {@code HttpOnly; SameSite=Strict}.
 * </ul>
 *
 * Bounded: at most {@value #MAX_TICKETS} unused tickets (each valid {@value #TICKET_MILLIS} ms,
 * once) and {@value #MAX_SESSIONS} sessions (each {@value #SESSION_MILLIS} ms); the oldest go
 * first. Thread-safe.
 */
final class Access {
  static final int MAX_TICKETS = 16;
  static final int MAX_SESSIONS = 16;
  static final long TICKET_MILLIS = 120_000;
  static final long SESSION_MILLIS = 12L * 3600_000;
  static final String COOKIE = "epost-status";

  private final byte[] token;
  private final int port;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Long> tickets = new LinkedHashMap<>();
  private final Map<String, Long> sessions = new LinkedHashMap<>();

  Access(String token, int port) {
    this.token = token.getBytes(StandardCharsets.US_ASCII);
    this.port = port;
  }

  /** Why a request's Host or Origin is refused, or empty when they are this page's own. */
  Optional<String> checkOrigin(Headers h) {
    String host = h.getFirst("Host");
    if (host == null || !isLoopbackAuthority(host)) {
      return Optional.of("the Host header is not this page's loopback address");
    }
    String origin = h.getFirst("Origin");
    if (origin != null
        && !(origin.startsWith("http://")
            && isLoopbackAuthority(origin.substring("http://".length())))) {
      return Optional.of("the Origin is not this page");
    }
    String site = h.getFirst("Sec-Fetch-Site");
    if (site != null && site.equalsIgnoreCase("cross-site")) {
      return Optional.of("a cross-site request");
    }
    return Optional.empty();
  }

  private boolean isLoopbackAuthority(String authority) {
    String a = authority.trim().toLowerCase(Locale.ROOT);
    String suffix = ":" + port;
    if (!a.endsWith(suffix)) {
      return false;
    }
    String host = a.substring(0, a.length() - suffix.length());
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("[::1]");
  }

  /** Whether the request carries the token or a live session cookie. */
  boolean authenticated(Headers h, long nowMillis) {
    String auth = h.getFirst("Authorization");
    if (auth != null && auth.startsWith("Bearer ")) {
      return MessageDigest.isEqual(
          auth.substring(7).trim().getBytes(StandardCharsets.US_ASCII), token);
    }
    String session = cookie(h);
    if (session == null) {
      return false;
    }
    synchronized (this) {
      expire(sessions, nowMillis);
      for (String s : sessions.keySet()) {
        if (MessageDigest.isEqual(
            s.getBytes(StandardCharsets.US_ASCII), session.getBytes(StandardCharsets.US_ASCII))) {
          return true;
        }
      }
    }
    return false;
  }

  private static String cookie(Headers h) {
    for (String line : h.getOrDefault("Cookie", java.util.List.of())) {
      for (String part : line.split(";")) {
        String p = part.trim();
        if (p.startsWith(COOKIE + "=")) {
          return p.substring(COOKIE.length() + 1);
        }
      }
    }
    return null;
  }

  /** A fresh one-time ticket. */
  synchronized String newTicket(long nowMillis) {
    expire(tickets, nowMillis);
    String t = randomHex();
    tickets.put(t, nowMillis + TICKET_MILLIS);
    trim(tickets, MAX_TICKETS);
    return t;
  }

  /** Spends {@code ticket}: a new session id when it was live, else empty. */
  synchronized Optional<String> redeem(String ticket, long nowMillis) {
    expire(tickets, nowMillis);
    String match = null;
    for (String t : tickets.keySet()) {
      if (MessageDigest.isEqual(
          t.getBytes(StandardCharsets.US_ASCII), ticket.getBytes(StandardCharsets.US_ASCII))) {
        match = t;
      }
    }
    if (match == null) {
      return Optional.empty();
    }
    tickets.remove(match);
    expire(sessions, nowMillis);
    String s = randomHex();
    sessions.put(s, nowMillis + SESSION_MILLIS);
    trim(sessions, MAX_SESSIONS);
    return Optional.of(s);
  }

  private String randomHex() {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void expire(Map<String, Long> m, long now) {
    m.values().removeIf(until -> until < now);
  }

  private static void trim(Map<String, Long> m, int max) {
    Iterator<String> it = m.keySet().iterator();
    while (m.size() > max && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  static String sessionCookie(String session) {
    return COOKIE + "=" + session + "; Path=/; HttpOnly; SameSite=Strict";
  }
}
