package org.epost.mail.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.epost.overlay.api.PastryConfig;

/**
 * The daemon's local status page (ADR 0131): HTTP on a loopback address only, three read-only views
 * ({@code /}, {@code /deliveries}, {@code /ring}; see {@link Pages}), behind the node's control
 * token ({@link Access}). A browser gets in through a one-time URL ({@link #oneTimeUrl}: {@code
 * /login?ticket=...&next=/view}), which sets an {@code HttpOnly; SameSite=Strict} session cookie
 * and redirects to the view, so the token itself never appears in a URL or a history.
 *
 * <p>Refused with 403: a request without the token or a live session, one whose {@code Host} is not
 * loopback with this port, one with a foreign {@code Origin} or {@code Sec-Fetch-Site: cross-site};
 * with 405 any method but GET and HEAD. Responses carry a strict {@code Content-Security-Policy}
 * (no script, inline style, no frames) and {@code Cache-Control: no-store}.
 *
 * <p>Threads: the JDK server's dispatcher and {@value #WORKERS} workers (a bounded queue; when it
 * is full the dispatcher answers itself, which slows new connections down), and one sampler that
 * reads the node's traffic counters every {@value #SAMPLE_SECONDS} s.
 */
public final class StatusPage implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.status");
  static final int WORKERS = 2;
  static final int QUEUE = 32;
  static final int SAMPLE_SECONDS = 60;

  private final HttpServer server;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService sampler;
  private final Access access;
  private final StatusSource source;
  private final TrafficHistory traffic = new TrafficHistory();
  private final int leafSetCapacity = PastryConfig.defaults().leafSetSize();

  private StatusPage(HttpServer server, ThreadPoolExecutor workers, Access access, StatusSource s) {
    this.server = server;
    this.workers = workers;
    this.access = access;
    this.source = s;
    this.sampler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "epost-status-sampler");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts the page on {@code bind} (port 0: any free port).
   *
   * @param token the node's control token, which scripts send as {@code Authorization: Bearer}
   * @throws IllegalArgumentException if {@code bind} is not a loopback address
   * @throws IOException if the address cannot be bound
   */
  public static StatusPage start(InetSocketAddress bind, String token, StatusSource source)
      throws IOException {
    if (bind.getAddress() == null || !bind.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "the status page listens on loopback only, not on " + bind);
    }
    if (token.isBlank()) {
      throw new IllegalArgumentException("the status page needs the node's control token");
    }
    HttpServer server = HttpServer.create(bind, 16);
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "epost-status-http");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.CallerRunsPolicy());
    server.setExecutor(workers);
    StatusPage page =
        new StatusPage(server, workers, new Access(token, server.getAddress().getPort()), source);
    server.createContext("/", page::handle);
    server.start();
    page.sampler.scheduleWithFixedDelay(page::sample, 0, SAMPLE_SECONDS, TimeUnit.SECONDS);
    return page;
  }

  /** Where the page listens. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /**
   * A URL that opens {@code view} ({@code /}, {@code /deliveries} or {@code /ring}) once, within
   * two minutes, and leaves a session cookie in that browser.
   */
  public URI oneTimeUrl(String view) {
    String v = Pages.VIEWS.contains(view) ? view : "/";
    return URI.create(
        "http://127.0.0.1:"
            + address().getPort()
            + "/login?ticket="
            + access.newTicket(System.currentTimeMillis())
            + "&next="
            + v);
  }

  /** The health the overview shows now: online, syncing, offline or problem. */
  public String health() {
    return Pages.health(view());
  }

  /**
   * The health {@code source} shows now (the function the overview uses), without a running page:
   * online, syncing, offline or problem.
   */
  public static String health(StatusSource source) {
    NodeFigures n;
    String error = "";
    try {
      n = NodeFigures.parse(source.nodeStatus());
    } catch (IOException | RuntimeException e) {
      n = NodeFigures.parse(List.of());
      error = "the node does not answer: " + e.getMessage();
    }
    long now = System.currentTimeMillis();
    return Pages.health(
        new Pages.View(
            n,
            error,
            source.accounts(),
            new TrafficHistory().series(now),
            now,
            n.ringSizeEstimate(PastryConfig.defaults().leafSetSize())));
  }

  private void sample() {
    try {
      NodeFigures n = NodeFigures.parse(source.nodeStatus());
      traffic.sample(
          System.currentTimeMillis(),
          NodeFigures.number(n.transport, "framesIn"),
          NodeFigures.number(n.transport, "framesOut"));
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.DEBUG, "status sample failed: {0}", e.toString());
    }
  }

  private Pages.View view() {
    NodeFigures n;
    String error = "";
    try {
      n = NodeFigures.parse(source.nodeStatus());
    } catch (IOException | RuntimeException e) {
      n = NodeFigures.parse(List.of());
      error = "the node does not answer: " + e.getMessage();
    }
    long now = System.currentTimeMillis();
    return new Pages.View(
        n, error, source.accounts(), traffic.series(now), now, n.ringSizeEstimate(leafSetCapacity));
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      Optional<String> bad = access.checkOrigin(ex.getRequestHeaders());
      if (bad.isPresent()) {
        send(ex, 403, "refused: " + bad.get() + "\n", "text/plain");
        return;
      }
      if (!method.equals("GET") && !method.equals("HEAD")) {
        send(ex, 405, "only GET and HEAD\n", "text/plain");
        return;
      }
      String path = ex.getRequestURI().getPath();
      long now = System.currentTimeMillis();
      if (Autoconfig.PATHS.contains(path)) { // no secret in it: served without the token
        Optional<org.epost.mail.api.ClientSettings> a =
            Autoconfig.choose(ex.getRequestURI().getRawQuery(), source.clientSettings());
        if (a.isEmpty()) {
          send(ex, 404, "no such account here (emailaddress=ADDRESS)\n", "text/plain");
        } else {
          send(ex, 200, Autoconfig.document(a.get()), "application/xml; charset=utf-8");
        }
        return;
      }
      if (path.equals("/login")) {
        login(ex, access, now, Pages.VIEWS::contains, CSP);
        return;
      }
      if (!access.authenticated(ex.getRequestHeaders(), now)) {
        send(
            ex,
            403,
            "refused: open this page from the ePOST tray or with 'epost status --page'\n",
            "text/plain");
        return;
      }
      Function<Pages.View, String> render =
          switch (path) {
            case "/" -> Pages::overview;
            case "/deliveries" -> Pages::deliveries;
            case "/ring" -> Pages::ring;
            default -> null;
          };
      if (render == null) {
        send(ex, 404, "no such page\n", "text/plain");
        return;
      }
      send(ex, 200, render.apply(view()), "text/html; charset=utf-8");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "status page request failed", e);
    }
  }

  /**
   * {@code /login?ticket=T&next=VIEW}: spends the one-time ticket, sets the session cookie and
   * redirects to {@code next} when {@code known} (else {@code /}).
   */
  static void login(HttpExchange ex, Access access, long now, Predicate<String> known, String csp)
      throws IOException {
    String ticket = null;
    String next = "/";
    String q = ex.getRequestURI().getRawQuery();
    if (q != null) {
      for (String kv : q.split("&")) {
        if (kv.startsWith("ticket=")) {
          ticket = kv.substring(7);
        } else if (kv.startsWith("next=")) {
          next = kv.substring(5);
        }
      }
    }
    Optional<String> session = ticket == null ? Optional.empty() : access.redeem(ticket, now);
    if (session.isEmpty()) {
      send(ex, 403, "refused: this link was used already or has expired\n", "text/plain", csp);
      return;
    }
    ex.getResponseHeaders().add("Set-Cookie", Access.sessionCookie(session.get()));
    ex.getResponseHeaders().add("Location", known.test(next) ? next : "/");
    send(ex, 303, "", "text/plain", csp);
  }

  /** The status page's policy: no script, inline style, data: images, no forms, no frames. */
  static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none';"
          + " frame-ancestors 'none'; base-uri 'none'";

  private static void send(HttpExchange ex, int code, String body, String type) throws IOException {
    send(ex, code, body, type, CSP);
  }

  /** Sends {@code body} with the page's safety headers and {@code csp}. */
  static void send(HttpExchange ex, int code, String body, String type, String csp)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    var h = ex.getResponseHeaders();
    h.set("Content-Type", type);
    h.set("Cache-Control", "no-store");
    h.set("X-Content-Type-Options", "nosniff");
    h.set("Referrer-Policy", "no-referrer");
    h.set("X-Frame-Options", "DENY");
    h.set("Content-Security-Policy", csp);
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(code, head || bytes.length == 0 ? -1 : bytes.length);
    if (!head && bytes.length > 0) {
      try (OutputStream o = ex.getResponseBody()) {
        o.write(bytes);
      }
    }
  }

  /** Stops serving and sampling; idempotent. */
  @Override
  public void close() {
    sampler.shutdownNow();
    server.stop(0);
    workers.shutdownNow();
  }
}
