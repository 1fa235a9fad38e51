package org.epost.mail.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.mail.daemon.DaemonConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first run as a person meets it (ADR 0145): {@code epost run} on a data directory that belongs
 * to no ring prints the first-run link; the form, filled through that link over HTTP, sets up a new
 * ring and {@code epost run} then starts the daemon with the passphrase just given, serving the new
 * account. No passphrase option, no console.
 */
class FirstRunThroughRunTest {
  @TempDir Path tmp;

  @Test
  void epostRunServesTheFirstRunThenStartsTheDaemon() throws Exception {
    Path root = tmp.resolve("fresh");
    Files.createDirectories(root);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.writeString(
        root.resolve("epost.properties"),
        DaemonConfig.sample(
            Map.of(
                DaemonConfig.Key.NODE_LISTEN, "127.0.0.1:" + port,
                DaemonConfig.Key.NODE_QUOTA, "64m",
                DaemonConfig.Key.IMAP_LISTEN, "127.0.0.1:0",
                DaemonConfig.Key.SMTP_LISTEN, "127.0.0.1:0",
                DaemonConfig.Key.STATUS_LISTEN, "127.0.0.1:0",
                DaemonConfig.Key.TRAY_ENABLED, "off")));
    Map<String, String> env = Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/bin"));
    try (EpostRun run = new EpostRun(root, env, tmp.resolve("run.err"))) {
      String first = run.await("first run: ", 60);
      Matcher m =
          Pattern.compile("set it up at (http://127\\.0\\.0\\.1:(\\d+)/login\\S+)").matcher(first);
      assertTrue(m.find(), first);
      String base = "http://127.0.0.1:" + m.group(2);
      HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
      HttpResponse<String> login =
          http.send(
              HttpRequest.newBuilder(URI.create(m.group(1))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(303, login.statusCode());
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      String form =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", cookie).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher t = Pattern.compile("name=\"form\" value=\"([0-9a-f]+)\"").matcher(form);
      assertTrue(t.find(), form);
      String body =
          "form="
              + t.group(1)
              + "&ring=new&address="
              + URLEncoder.encode("carol@home.example", StandardCharsets.UTF_8)
              + "&passphrase=correct+horse&passphrase2=correct+horse";
      HttpResponse<String> done =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/setup"))
                  .header("Cookie", cookie)
                  .header("Origin", base)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, done.statusCode(), done.body());
      assertTrue(done.body().contains("carol@home.example is set up"), done.body());
      run.await("first run done", 30);
      String running = run.await("epost running", 90);
      assertTrue(running.contains("127.0.0.1:" + port), running);
      run.await("account carol@home.example", 30);
      assertTrue(!Files.exists(root.resolve("passphrase")), "not kept: the box was not ticked");
      assertTrue(run.stop(), "stopped on SIGTERM");
    }
  }
}
