package org.epost.mail.status;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.daemon.RingFiles;
import org.epost.mail.setup.PassphraseStore;
import org.epost.mail.setup.Setup;

/**
 * The first run in a browser (ADR 0145): what {@code epost run} serves, on the status page's
 * loopback address, when its data directory belongs to no ring and has no account. One form: create
 * a new ring or join one (the invitation pasted), the address, the passphrase twice, and whether
 * ePOST starts at login (the passphrase kept: {@link PassphraseStore}); the steps are {@link
 * Setup}'s, as in {@code epost setup}. Then it shows what to share (a new ring's invitation) or
 * send (a joiner's request), and the settings for Thunderbird, Apple Mail and mutt; {@code epost
 * run} then starts the daemon with the passphrase just given.
 *
 * <p>Access is the status page's (ADR 0131, {@link Access}): loopback only, Host and Origin
 * checked, a one-time URL that opens a {@code SameSite=Strict} session (its token is made here and
 * never written down). The form's POST also needs an {@code Origin} of this page and a per-page
 * form token; its body is at most {@value #MAX_BODY} bytes. Nothing is written before the form is
 * whole and the two passphrases agree.
 */
public final class FirstRunPage implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.status");
  static final int MAX_BODY = 64 * 1024;
  static final String CSP =
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none';"
          + " base-uri 'none'";

  private final HttpServer server;
  private final ExecutorService worker;
  private final Access access;
  private final String formToken;
  private final Path root;
  private final Map<String, String> env;
  private final ScryptParameters scrypt;
  private final CompletableFuture<char[]> done = new CompletableFuture<>();
  private volatile String donePage; // set once the setup succeeded

  private FirstRunPage(
      HttpServer server,
      ExecutorService worker,
      Access access,
      Path root,
      Map<String, String> env,
      ScryptParameters scrypt) {
    this.server = server;
    this.worker = worker;
    this.access = access;
    this.root = root;
    this.env = env;
    this.scrypt = scrypt;
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    this.formToken = HexFormat.of().formatHex(b);
  }

  /**
   * Serves the first run for the data directory {@code root} on {@code bind} (loopback; port 0: any
   * free port). {@code env} is the environment of the passphrase store ({@code secret-tool}).
   *
   * @throws IllegalArgumentException if {@code bind} is not a loopback address
   */
  public static FirstRunPage start(
      InetSocketAddress bind, Path root, Map<String, String> env, ScryptParameters scrypt)
      throws IOException {
    if (bind.getAddress() == null || !bind.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("the first-run page listens on loopback only: " + bind);
    }
    HttpServer server = HttpServer.create(bind, 16);
    ExecutorService worker =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "epost-first-run-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(worker);
    byte[] token = new byte[24];
    new SecureRandom().nextBytes(token);
    FirstRunPage page =
        new FirstRunPage(
            server,
            worker,
            new Access(HexFormat.of().formatHex(token), server.getAddress().getPort()),
            root,
            Map.copyOf(env),
            scrypt);
    server.createContext("/", page::handle);
    server.start();
    return page;
  }

  /** Where the page listens. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** A URL that opens the page once, within two minutes, and leaves a session in that browser. */
  public URI oneTimeUrl() {
    return URI.create(
        "http://127.0.0.1:"
            + address().getPort()
            + "/login?ticket="
            + access.newTicket(System.currentTimeMillis())
            + "&next=/");
  }

  /** Waits until the first run is done; the passphrase given (the caller clears it). */
  public char[] awaitPassphrase() throws InterruptedException {
    try {
      return done.get();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      long now = System.currentTimeMillis();
      Optional<String> bad = access.checkOrigin(ex.getRequestHeaders());
      if (bad.isPresent()) {
        StatusPage.send(ex, 403, "refused: " + bad.get() + "\n", "text/plain", CSP);
        return;
      }
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/login") && method.equals("GET")) {
        StatusPage.login(ex, access, now, "/"::equals, CSP);
        return;
      }
      if (!access.authenticated(ex.getRequestHeaders(), now)) {
        StatusPage.send(
            ex, 403, "refused: open the link 'epost run' printed or opened\n", "text/plain", CSP);
        return;
      }
      if (path.equals("/") && (method.equals("GET") || method.equals("HEAD"))) {
        String page = donePage;
        StatusPage.send(
            ex, 200, page != null ? page : form(Map.of(), ""), "text/html; charset=utf-8", CSP);
      } else if (path.equals("/setup") && method.equals("POST")) {
        setup(ex);
      } else {
        StatusPage.send(ex, 404, "no such page\n", "text/plain", CSP);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "first-run request failed", e);
    }
  }

  private void setup(HttpExchange ex) throws IOException {
    String origin = ex.getRequestHeaders().getFirst("Origin");
    if (origin == null) {
      StatusPage.send(ex, 403, "refused: a form post without Origin\n", "text/plain", CSP);
      return;
    }
    String type = ex.getRequestHeaders().getFirst("Content-Type");
    if (type == null || !type.startsWith("application/x-www-form-urlencoded")) {
      StatusPage.send(ex, 415, "refused: not a form\n", "text/plain", CSP);
      return;
    }
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY + 1);
    }
    if (body.length > MAX_BODY) {
      StatusPage.send(ex, 413, "refused: the form is too large\n", "text/plain", CSP);
      return;
    }
    Map<String, String> f = parseForm(new String(body, StandardCharsets.UTF_8));
    Arrays.fill(body, (byte) 0);
    if (!MessageDigest.isEqual(
        f.getOrDefault("form", "").getBytes(StandardCharsets.US_ASCII),
        formToken.getBytes(StandardCharsets.US_ASCII))) {
      StatusPage.send(ex, 403, "refused: this form was not served here\n", "text/plain", CSP);
      return;
    }
    if (donePage != null) {
      StatusPage.send(ex, 200, donePage, "text/html; charset=utf-8", CSP);
      return;
    }
    char[] pass = f.getOrDefault("passphrase", "").toCharArray();
    char[] again = f.getOrDefault("passphrase2", "").toCharArray();
    String error;
    try {
      error = check(f, pass, again);
      if (error.isEmpty()) {
        Optional<RingFiles.Invitation> inv =
            "join".equals(f.get("ring"))
                ? Optional.of(RingFiles.Invitation.decode(f.get("invitation"), Path.of("(pasted)")))
                : Optional.empty();
        DataDirectory d = DataDirectory.open(root);
        Setup.Outcome r =
            Setup.run(d, inv, Setup.address(f.get("address")), pass, new SecureRandom(), scrypt);
        String kept = "";
        if ("on".equals(f.get("login"))) {
          kept = new PassphraseStore(root, env).store(pass).label;
        }
        donePage = done(r, kept);
        StatusPage.send(ex, 200, donePage, "text/html; charset=utf-8", CSP);
        done.complete(Arrays.copyOf(pass, pass.length));
        return;
      }
    } catch (IOException | RuntimeException e) {
      error = e.getMessage() == null ? e.toString() : e.getMessage();
    } finally {
      Arrays.fill(pass, '\0');
      Arrays.fill(again, '\0');
    }
    StatusPage.send(ex, 400, form(f, error), "text/html; charset=utf-8", CSP);
  }

  /** What is wrong with the form, or empty. */
  private static String check(Map<String, String> f, char[] pass, char[] again) {
    String ring = f.getOrDefault("ring", "");
    if (!ring.equals("new") && !ring.equals("join")) {
      return "Choose: a new ring, or join one.";
    }
    if (ring.equals("join") && f.getOrDefault("invitation", "").isBlank()) {
      return "Paste the invitation you were given to join a ring.";
    }
    if (f.getOrDefault("address", "").isBlank()) {
      return "Your mail address is missing.";
    }
    try {
      Setup.address(f.get("address"));
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    if (pass.length == 0) {
      return "Choose a passphrase.";
    }
    if (!Arrays.equals(pass, again)) {
      return "The two passphrases differ.";
    }
    return "";
  }

  static Map<String, String> parseForm(String body) {
    Map<String, String> m = new HashMap<>();
    for (String kv : body.split("&")) {
      int eq = kv.indexOf('=');
      if (eq <= 0 || m.size() >= 16) {
        continue;
      }
      m.put(
          URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private String form(Map<String, String> f, String error) {
    boolean join = "join".equals(f.get("ring"));
    StringBuilder b = head("Set up");
    if (!error.isEmpty()) {
      b.append("<section id=\"error\" class=\"error\"><p>")
          .append(Html.escape(error))
          .append("</p></section>");
    }
    b.append(
            "<form method=\"post\" action=\"/setup\"><input type=\"hidden\" name=\"form\" value=\"")
        .append(formToken)
        .append("\"><section><h2>1. Your ring</h2><p><label><input type=\"radio\" name=\"ring\"")
        .append(" value=\"new\"")
        .append(join ? "" : " checked")
        .append("> Create a new ring (you are its operator; you will get an invitation to")
        .append(" share)</label></p><p><label><input type=\"radio\" name=\"ring\" value=\"join\"")
        .append(join ? " checked" : "")
        .append("> Join a ring: paste the invitation you were given</label></p>")
        .append("<textarea name=\"invitation\" rows=\"5\" cols=\"80\"")
        .append(" placeholder=\"epost-invitation ...\">")
        .append(Html.escape(f.getOrDefault("invitation", "")))
        .append("</textarea></section><section><h2>2. Your address</h2><p><input name=\"address\"")
        .append(" type=\"email\" size=\"40\" placeholder=\"alice@home.example\" value=\"")
        .append(Html.escape(f.getOrDefault("address", "")))
        .append("\"></p></section><section><h2>3. Your passphrase</h2>")
        .append("<p>It protects your keys on this computer; nobody can reset it.</p>")
        .append("<p><input name=\"passphrase\" type=\"password\" size=\"30\"")
        .append(" autocomplete=\"new-password\"> again <input name=\"passphrase2\"")
        .append(" type=\"password\" size=\"30\" autocomplete=\"new-password\"></p>")
        .append("<p><label><input type=\"checkbox\" name=\"login\" checked> Start ePOST when I")
        .append(" log in (the passphrase is kept in your desktop's keyring, or in a file only you")
        .append(" can read)</label></p></section><p><button type=\"submit\">Set up ePOST</button>")
        .append("</p></form>");
    return b.append("</main></body></html>").toString();
  }

  private static String done(Setup.Outcome r, String kept) throws IOException {
    StringBuilder b = head("Ready");
    b.append("<section id=\"done\"><h2>")
        .append(Html.escape(r.account().address()))
        .append(" is set up</h2><p>")
        .append(Html.escape(r.nextStep()))
        .append("</p><p>")
        .append(
            kept.isEmpty()
                ? "ePOST starts now; at login, start it with 'epost run'."
                : "ePOST starts now, and at every login (passphrase kept in " + kept + ").")
        .append("</p></section>");
    if (r.newRing()) {
      b.append("<section><h2>Invitation to share</h2><pre id=\"invitation\">")
          .append(Html.escape(r.invitationText()))
          .append("</pre></section>");
    }
    b.append("<section><h2>Your mail client</h2><pre id=\"settings\">")
        .append(Html.escape(Setup.clientSettings(r.settings(), r.statusPage())))
        .append("</pre></section>");
    return b.append("</main></body></html>").toString();
  }

  private static StringBuilder head(String title) {
    StringBuilder b = new StringBuilder(8192);
    return b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>ePOST: ")
        .append(title)
        .append("</title><style>")
        .append(Pages.CSS)
        .append(
            ".error{border-color:#c62828;color:#c62828}pre{white-space:pre-wrap;font-size:.85em}"
                + "textarea{width:100%}button{font-size:1em;padding:.4em 1.2em}")
        .append("</style></head><body><header><h1>ePOST</h1><nav>")
        .append("<a class=\"here\" href=\"/\">First run</a></nav></header><main>");
  }

  /** Stops serving; idempotent. */
  @Override
  public void close() {
    server.stop(0);
    worker.shutdownNow();
    done.completeExceptionally(new IllegalStateException("the first-run page was closed"));
  }
}
