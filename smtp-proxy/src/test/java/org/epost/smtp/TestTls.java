package org.epost.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TEST HELPER: a self-signed certificate for "localhost" / 127.0.0.1, made once per JVM with the
 * JDK's keytool, as a server context and as a client context that trusts exactly it.
 */
final class TestTls {
  static final char[] PASSWORD = "test-keystore".toCharArray();
  private static Path keystore;

  private TestTls() {}

  static synchronized Path keystore() throws Exception {
    if (keystore == null) {
      Path dir = Files.createTempDirectory("smtp-tls");
      Path file = dir.resolve("server.p12");
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      Process p =
          new ProcessBuilder(
                  keytool.toString(),
                  "-genkeypair",
                  "-alias",
                  "server",
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-dname",
                  "CN=localhost",
                  "-ext",
                  "SAN=dns:localhost,ip:127.0.0.1",
                  "-validity",
                  "30",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  file.toString(),
                  "-storepass",
                  new String(PASSWORD),
                  "-keypass",
                  new String(PASSWORD))
              .redirectErrorStream(true)
              .start();
      String output = new String(p.getInputStream().readAllBytes());
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("keytool failed: " + output);
      }
      keystore = file;
    }
    return keystore;
  }

  private static KeyStore load() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore())) {
      ks.load(in, PASSWORD);
    }
    return ks;
  }

  static SSLContext server() throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(load(), PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }

  static SSLContext client() throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(load());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    return context;
  }

  /** The certificate and its private key as one PEM file (for non-Java servers), via openssl. */
  static synchronized Path pem() throws Exception {
    Path pem = keystore().resolveSibling("server.pem");
    if (!Files.exists(pem)) {
      String openssl = ExternalTool.locate("openssl", "openssl");
      ExternalTool.Result r =
          ExternalTool.run(
              java.util.List.of(
                  openssl,
                  "pkcs12",
                  "-in",
                  keystore().toString(),
                  "-nodes",
                  "-passin",
                  "pass:" + new String(PASSWORD),
                  "-out",
                  pem.toString()),
              null,
              60);
      if (r.exitCode() != 0) {
        throw new IOException("openssl could not export the test certificate: " + r.output());
      }
    }
    return pem;
  }
}
