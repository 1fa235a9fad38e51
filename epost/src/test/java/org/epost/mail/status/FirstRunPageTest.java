package org.epost.mail.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.epost.crypto.keyfile.ScryptParameters;
import org.epost.mail.daemon.AccountDirectory;
import org.epost.mail.daemon.DataDirectory;
import org.epost.mail.setup.Setup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first run in a browser (ADR 0145) through real HTTP: refused without the one-time link's
 * session, without this page's Origin, or without the form's token; a form with two different
 * passphrases writes nothing; a whole form creates the ring, enrols the address, keeps the
 * passphrase owner-only (no Secret Service here: no session bus) and shows the invitation and the
 * client settings; a second node joins with the pasted invitation. Headless Chromium renders the
 * form and the result (screenshots in {@code target/first-run-screenshots}).
 */
class FirstRunPageTest {
  private static final ScryptParameters FAST = new ScryptParameters(10, 8, 1);
  private static final Map<String, String> NO_BUS = Map.of("PATH", "/usr/bin:/bin");

  @TempDir Path tmp;

  private final HttpClient http =
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @Test
  void aNewRingThenAJoinerThroughTheForm() throws Exception {
    Path alice = tmp.resolve("alice");
    String invitation;
    try (FirstRunPage page = start(alice)) {
      String base = "http://127.0.0.1:" + page.address().getPort();
      assertEquals(403, get(base + "/", null).statusCode(), "no session: refused");
      String cookie = login(page);
      HttpResponse<String> form = get(base + "/", cookie);
      assertEquals(200, form.statusCode());
      assertTrue(form.body().contains("Create a new ring"), form.body());
      String token = formToken(form.body());

      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("form", token);
      fields.put("ring", "new");
      fields.put("address", "Alice@Home.Example");
      fields.put("passphrase", "correct horse");
      fields.put("passphrase2", "correct horse");
      fields.put("login", "on");

      Map<String, String> forged = new LinkedHashMap<>(fields);
      forged.put("form", "0".repeat(48));
      assertEquals(403, post(base, cookie, base, forged).statusCode(), "a form not served here");
      assertEquals(403, post(base, cookie, null, fields).statusCode(), "a post without Origin");
      assertEquals(
          403,
          post(base, cookie, "http://evil.example", fields).statusCode(),
          "a post from another site");
      assertEquals(403, post(base, null, base, fields).statusCode(), "a post without session");
      Map<String, String> differ = new LinkedHashMap<>(fields);
      differ.put("passphrase2", "correct horsf");
      HttpResponse<String> again = post(base, cookie, base, differ);
      assertEquals(400, again.statusCode());
      assertTrue(again.body().contains("The two passphrases differ."), again.body());
      assertTrue(Setup.needed(alice), "nothing was set up by the refused posts");

      screenshot(page, "form");
      HttpResponse<String> done = post(base, cookie, base, fields);
      assertEquals(200, done.statusCode(), done.body());
      assertTrue(done.body().contains("alice@home.example is set up"), done.body());
      assertTrue(done.body().contains("ring created for home.example"), done.body());
      assertEquals("correct horse", new String(page.awaitPassphrase()));

      DataDirectory d = DataDirectory.existing(alice);
      AccountDirectory a = d.account("alice@home.example");
      String password = Files.readString(a.passwordFile()).trim();
      assertTrue(done.body().contains("Password: " + password), "the settings with the password");
      assertTrue(done.body().contains("== Thunderbird =="), done.body());
      assertTrue(done.body().contains("== Apple Mail =="), done.body());
      assertTrue(done.body().contains("== mutt"), done.body());
      assertEquals("rw-------", mode(a.keyFile()), "the key file is the owner's only");
      assertEquals("rw-------", mode(alice.resolve("passphrase")), "the kept passphrase too");
      assertEquals("correct horse\n", Files.readString(alice.resolve("passphrase")));
      invitation = Files.readString(d.ringDir().resolve("invitation"));
      assertTrue(done.body().contains(Html.escape(invitation.strip())), "the invitation shown");
      assertEquals(200, get(base + "/", cookie).statusCode(), "the result stays on the page");
      screenshot(page, "done");
    }

    Path bob = tmp.resolve("bob");
    try (FirstRunPage page = start(bob)) {
      String base = "http://127.0.0.1:" + page.address().getPort();
      String cookie = login(page);
      String token = formToken(get(base + "/", cookie).body());
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("form", token);
      fields.put("ring", "join");
      fields.put("invitation", invitation);
      fields.put("address", "bob@home.example");
      fields.put("passphrase", "battery staple");
      fields.put("passphrase2", "battery staple");
      HttpResponse<String> done = post(base, cookie, base, fields);
      assertEquals(200, done.statusCode(), done.body());
      assertTrue(done.body().contains("to the ring&#39;s operator"), done.body());
      assertTrue(!Files.exists(bob.resolve("passphrase")), "not kept: the box was not ticked");
      assertEquals(
          Files.readString(tmp.resolve("alice/ring/authority.pub")),
          Files.readString(bob.resolve("ring/authority.pub")),
          "bob's node trusts alice's ring");
    }
  }

  private FirstRunPage start(Path root) throws Exception {
    return FirstRunPage.start(new InetSocketAddress("127.0.0.1", 0), root, NO_BUS, FAST);
  }

  private String login(FirstRunPage page) throws Exception {
    HttpResponse<String> r = get(page.oneTimeUrl().toString(), null);
    assertEquals(303, r.statusCode());
    String setCookie = r.headers().firstValue("Set-Cookie").orElseThrow();
    assertTrue(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"));
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  private static String formToken(String html) {
    Matcher m = Pattern.compile("name=\"form\" value=\"([0-9a-f]+)\"").matcher(html);
    assertTrue(m.find(), html);
    return m.group(1);
  }

  private HttpResponse<String> get(String url, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(
      String base, String cookie, String origin, Map<String, String> fields) throws Exception {
    StringBuilder body = new StringBuilder();
    fields.forEach(
        (k, v) ->
            body.append(body.length() == 0 ? "" : "&")
                .append(k)
                .append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/setup"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    if (origin != null) {
      b.header("Origin", origin);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  /** Headless Chromium opens the page by a one-time link; a real rendering with the header bar. */
  private static void screenshot(FirstRunPage page, String name) throws Exception {
    Path out = Path.of("target", "first-run-screenshots").toAbsolutePath();
    Path png = HeadlessChromium.screenshot(out, name, page.oneTimeUrl().toString(), 1000, 1100);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(1000, img.getWidth());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        colours.add(img.getRGB(x, y) & 0xffffff);
      }
    }
    assertTrue(colours.size() > 30, name + ": " + colours.size() + " colours, a real rendering");
    assertTrue(colours.contains(0x24324a), name + ": the header bar is drawn (not an error page)");
  }
}
