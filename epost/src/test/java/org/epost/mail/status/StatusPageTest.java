package org.epost.mail.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.mail.daemon.Daemon;
import org.epost.mail.daemon.DaemonConfig;
import org.epost.mail.daemon.DemoRing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The status page of a daemon on an in-process ring ({@link DemoRing}: three daemons, alice and
 * bob), asked with real HTTP requests: refused without the token, from a non-loopback Host or a
 * foreign Origin; with the token it shows the node, the ring, the storage and, after alice sent bob
 * a message with swaks, that message delivered with its latency in the table and the histogram.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusPageTest {
  private DemoRing ring;
  private Daemon alice;
  private StatusPage page;
  private String token;
  private URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @BeforeAll
  void startRing(@TempDir Path tmp) throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/swaks")), "swaks is not installed");
    ring =
        DemoRing.start(
            tmp,
            3,
            List.of("alice", "bob"),
            0,
            0,
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    for (Daemon d : ring.daemons()) {
      if (d.servedAccounts().contains("alice@epost.demo")) {
        alice = d;
      }
    }
    page = alice.statusPage().orElseThrow();
    token = ControlToken.read(alice.node().dataDirectory());
    base = URI.create("http://127.0.0.1:" + page.address().getPort());
  }

  @AfterAll
  void stopRing() {
    if (ring != null) {
      ring.close();
    }
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> withToken(String path) throws Exception {
    return get(path, "Authorization", "Bearer " + token);
  }

  @Test
  void refusesRequestsWithoutTheToken() throws Exception {
    for (String view : List.of("/", "/deliveries", "/ring")) {
      HttpResponse<String> r = get(view);
      assertEquals(403, r.statusCode(), view);
      assertTrue(!r.body().contains("Node id"), "nothing of the page leaks: " + r.body());
    }
    assertEquals(403, get("/", "Authorization", "Bearer " + "0".repeat(64)).statusCode());
    assertEquals(403, get("/", "Cookie", "epost-status=" + "ab".repeat(24)).statusCode());
    assertEquals(403, get("/login?ticket=" + "ab".repeat(24)).statusCode());
  }

  @Test
  void servesThunderbirdsAutoconfigWithoutTheTokenOnLoopbackOnly() throws Exception {
    String password =
        alice.clientSettings().stream()
            .filter(c -> c.address().equals("alice@epost.demo"))
            .findFirst()
            .orElseThrow()
            .password();
    for (String path :
        List.of(
            "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40epost.demo",
            "/mail/config-v1.1.xml?emailaddress=Alice@epost.demo", "/mail/config-v1.1.xml")) {
      HttpResponse<String> r = get(path);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/xml"));
      assertTrue(!r.body().contains(password), "no password in the document");
      org.w3c.dom.Document doc =
          javax.xml.parsers.DocumentBuilderFactory.newInstance()
              .newDocumentBuilder()
              .parse(new java.io.ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
      org.w3c.dom.Element root = doc.getDocumentElement();
      assertEquals("clientConfig", root.getTagName());
      assertEquals("1.1", root.getAttribute("version"));
      org.w3c.dom.Element provider =
          (org.w3c.dom.Element) root.getElementsByTagName("emailProvider").item(0);
      assertEquals("epost.demo", provider.getAttribute("id"));
      assertEquals("epost.demo", text(provider, "domain"));
      org.w3c.dom.Element in =
          (org.w3c.dom.Element) provider.getElementsByTagName("incomingServer").item(0);
      assertEquals("imap", in.getAttribute("type"));
      assertEquals("127.0.0.1", text(in, "hostname"));
      assertEquals(Integer.toString(alice.imapAddress().orElseThrow().getPort()), text(in, "port"));
      assertEquals("plain", text(in, "socketType"));
      assertEquals("alice@epost.demo", text(in, "username"));
      assertEquals("password-cleartext", text(in, "authentication"));
      org.w3c.dom.Element out =
          (org.w3c.dom.Element) provider.getElementsByTagName("outgoingServer").item(0);
      assertEquals("smtp", out.getAttribute("type"));
      assertEquals(
          Integer.toString(alice.smtpAddress().orElseThrow().getPort()), text(out, "port"));
      assertEquals("alice@epost.demo", text(out, "username"));
    }
    assertEquals(404, get("/mail/config-v1.1.xml?emailaddress=bob%40epost.demo").statusCode());
    assertEquals(
        403,
        get(
                "/mail/config-v1.1.xml?emailaddress=alice%40epost.demo",
                "Origin", "http://evil.example")
            .statusCode());
  }

  private static String text(org.w3c.dom.Element e, String tag) {
    return e.getElementsByTagName(tag).item(0).getTextContent().trim();
  }

  @Test
  void refusesForeignOriginAndNonLoopbackHost() throws Exception {
    HttpResponse<String> origin =
        get("/", "Authorization", "Bearer " + token, "Origin", "http://evil.example");
    assertEquals(403, origin.statusCode());
    assertTrue(origin.body().contains("Origin"), origin.body());
    assertEquals(
        403,
        get("/", "Authorization", "Bearer " + token, "Sec-Fetch-Site", "cross-site").statusCode());
    // DNS rebinding: a name that resolves to 127.0.0.1 still sends its own name as Host
    String answer = rawGet("evil.example:" + page.address().getPort());
    assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
    assertTrue(answer.contains("Host header"), answer);
    assertTrue(rawGet("127.0.0.1:" + page.address().getPort()).startsWith("HTTP/1.1 200"));
    assertTrue(rawGet("localhost:" + page.address().getPort()).startsWith("HTTP/1.1 200"));
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(base.resolve("/"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  /** A request written by hand, to send a Host header the JDK client will not. */
  private String rawGet(String host) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(page.address(), 5_000);
      s.setSoTimeout(20_000);
      OutputStream o = s.getOutputStream();
      o.write(
          ("GET / HTTP/1.1\r\nHost: "
                  + host
                  + "\r\nAuthorization: Bearer "
                  + token
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void bindsLoopbackOnly() {
    assertThrows(
        IllegalArgumentException.class,
        () -> StatusPage.start(new InetSocketAddress("0.0.0.0", 0), token, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> DaemonConfig.defaults().with(DaemonConfig.Key.STATUS_LISTEN, "0.0.0.0:1180"));
    assertTrue(
        DaemonConfig.defaults()
            .with(DaemonConfig.Key.STATUS_LISTEN, "off")
            .statusListen()
            .isEmpty());
  }

  @Test
  void oneTimeUrlSetsAStrictSessionCookieOnce() throws Exception {
    URI once = page.oneTimeUrl("/deliveries");
    HttpResponse<String> login =
        http.send(HttpRequest.newBuilder(once).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(303, login.statusCode());
    assertEquals("/deliveries", login.headers().firstValue("Location").orElseThrow());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), cookie);
    String session = cookie.substring(0, cookie.indexOf(';'));
    HttpResponse<String> view = get("/deliveries", "Cookie", session);
    assertEquals(200, view.statusCode());
    assertTrue(view.body().contains("latency-histogram"));
    assertEquals(
        403,
        http.send(HttpRequest.newBuilder(once).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode(),
        "a ticket opens the page once");
    String csp = view.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.startsWith("default-src 'none'"), csp);
  }

  @Test
  void showsTheNodeTheRingAndADeliveredMessageWithItsLatency() throws Exception {
    HttpResponse<String> overview = withToken("/");
    assertEquals(200, overview.statusCode());
    String o = overview.body();
    assertEquals(alice.node().id().toHex(), figure(o, "node-id"));
    assertEquals("joined", figure(o, "ring-joined"));
    assertEquals("3", figure(o, "ring-size"), "three daemons: the leaf set holds the whole ring");
    assertEquals("256.0 MiB", figure(o, "storage-quota"));
    assertTrue(o.contains("No equivocation, rollback or corruption seen."), o);
    assertTrue(o.contains("alice@epost.demo"), o);
    assertTrue(figure(o, "health").contains("online"), figure(o, "health"));

    assertEquals(0, swaks("status page test"), "swaks got 250");
    String d = "";
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      d = withToken("/deliveries").body();
      if (figure(d, "delivered").equals("1")) {
        break;
      }
      Thread.sleep(200);
    }
    assertEquals("1", figure(d, "delivered"), d);
    assertEquals("0", figure(d, "waiting"));
    assertEquals("0", figure(d, "in-flight"));
    assertEquals("0", figure(d, "failed"));
    Matcher latency =
        Pattern.compile("<td>bob@epost.demo</td><td>delivered</td><td>(\\d+\\.\\d\\d) s</td>")
            .matcher(d);
    assertTrue(latency.find(), d);
    double seconds = Double.parseDouble(latency.group(1));
    assertTrue(seconds > 0 && seconds < 60, "latency " + seconds);
    String svg = d.substring(d.indexOf("<svg id=\"latency-histogram\""));
    svg = svg.substring(0, svg.indexOf("</svg>"));
    String bucket = Pages.LATENCY_LABELS.get(Pages.bucket((long) (seconds * 1000)));
    assertTrue(svg.contains("<title>" + Html.escape(bucket) + ": 1</title>"), svg);

    String r = withToken("/ring").body();
    assertTrue(r.contains("<svg id=\"traffic-plot\""), r);
    assertTrue(r.contains("<svg id=\"sent-plot\""), r);
    assertTrue(r.contains("<title>now: 1</title>"), "one message sent this hour: " + r);
    assertTrue(Long.parseLong(figure(r, "past-objects")) >= 0);
    assertTrue(r.contains("id=\"scribe-delivered\""), r);
    assertTrue(r.contains("id=\"past-repairs\""), r);
  }

  /**
   * Each view in headless Chromium, opened the way the tray opens it (a one-time URL, then the
   * session cookie): the screenshot is a real rendering (large, many colours), and the overview
   * shows the green "online" badge. Skipped only when chromium is not installed (CI installs it:
   * .ci/packages/epost.txt).
   */
  @Test
  void chromiumRendersEachView() throws Exception {
    Path out = Path.of("target", "status-screenshots").toAbsolutePath();
    for (String view : Pages.VIEWS) {
      String name = view.equals("/") ? "overview" : view.substring(1);
      Path png =
          HeadlessChromium.screenshot(out, name, page.oneTimeUrl(view).toString(), 1100, 1300);
      assertTrue(Files.size(png) > 20_000, name + ": " + Files.size(png) + " bytes");
      java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
      assertEquals(1100, img.getWidth());
      java.util.Set<Integer> colours = new java.util.HashSet<>();
      int online = 0;
      int white = 0;
      for (int y = 0; y < img.getHeight(); y += 2) {
        for (int x = 0; x < img.getWidth(); x += 2) {
          int rgb = img.getRGB(x, y) & 0xffffff;
          colours.add(rgb);
          online += rgb == 0x2f9e44 ? 1 : 0;
          white += rgb == 0xffffff ? 1 : 0;
        }
      }
      assertTrue(colours.size() > 50, name + ": " + colours.size() + " colours, a real rendering");
      assertTrue(white > 1000, name + ": the page's white sections are drawn");
      assertTrue(
          colours.contains(0x24324a), name + ": the header bar is drawn (not an error page)");
      if (name.equals("overview")) {
        assertTrue(online > 20, "the green online badge is visible: " + online + " pixels");
      }
    }
  }

  static String figure(String html, String id) {
    Matcher m = Pattern.compile("id=\"" + id + "\">(.*?)</(td|div|p|ul)>").matcher(html);
    assertTrue(m.find(), "no figure " + id + " in " + html);
    return m.group(1);
  }

  private int swaks(String subject) throws Exception {
    DemoRing.User a = ring.users().get(0);
    Process p =
        new ProcessBuilder(
                "/usr/bin/swaks",
                "--server",
                "127.0.0.1:" + a.smtp().getPort(),
                "--auth",
                "PLAIN",
                "--auth-user",
                a.address(),
                "--auth-password",
                a.password(),
                "--from",
                a.address(),
                "--to",
                "bob@epost.demo",
                "--header",
                "Subject: " + subject,
                "--body",
                "hello bob",
                "--timeout",
                "60")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(90, TimeUnit.SECONDS));
    if (p.exitValue() != 0) {
      System.out.println(out);
    }
    return p.exitValue();
  }
}
