package org.epost.overlay.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.PastryConfig;
import org.epost.overlay.transport.tcp.TcpTransportConfig;
import org.epost.overlay.transport.tcp.TlsEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node process whose OpenSSL library cannot load runs on the JDK's TLS engine, says so and why in
 * its start-up log, and forms one ring with a node on OpenSSL (ADR 0090). Netty's {@code
 * io.netty.handler.ssl.noOpenSsl} property stands in for a platform without a bundled library.
 */
class TlsFallbackNodeTest {
  @TempDir Path tmp;
  private Process process;
  private NodeDaemon local;

  @AfterEach
  void stop() throws Exception {
    if (local != null) {
      local.close();
    }
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aNodeWithoutOpenSslFallsBackToTheJdkEngineAndJoinsTheRing() throws Exception {
    int port;
    try (java.net.ServerSocket s =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path err = tmp.resolve("node.err");
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx96m",
            "-XX:TieredStopAtLevel=1",
            "-Dio.netty.handler.ssl.noOpenSsl=true",
            "-cp",
            System.getProperty("java.class.path"),
            NodeCommand.class.getName(),
            "run",
            "--listen",
            "127.0.0.1:" + port,
            "--data",
            tmp.resolve("jdk").toString());
    process = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
    String line =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return out.readLine();
                  } catch (java.io.IOException e) {
                    return null;
                  }
                })
            .get(60, TimeUnit.SECONDS);
    if (line == null || !line.startsWith("ready ")) {
      fail("the node printed '" + line + "'; stderr: " + Files.readString(err));
    }
    Id remote = Id.fromHex(line.split(" ")[1]);
    String log = Files.readString(err);
    assertTrue(
        log.contains("with TLS engine JDK (SunJSSE) (netty-tcnative's BoringSSL did not load"),
        "the start-up log names the fallback engine and why: " + log);

    local =
        NodeDaemon.start(
            tmp.resolve("openssl"),
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)),
            PastryConfig.defaults(),
            TcpTransportConfig.defaults().withTlsEngine(TlsEngine.OPENSSL),
            null);
    assertTrue(local.awaitReady(30_000), "the OpenSSL node joined through the JDK node");
    assertEquals(
        List.of(remote),
        local.leafSet().stream().map(h -> h.id()).distinct().toList(),
        "the JDK node is the OpenSSL node's only neighbour");
    assertEquals(
        remote, local.route(remote).root(), "a probe for the JDK node's id is delivered to it");
    assertEquals(0, local.transportStatistics().handshakeFailures(), "no handshake was refused");
  }
}
