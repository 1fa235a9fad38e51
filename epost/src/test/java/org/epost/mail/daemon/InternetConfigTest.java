package org.epost.mail.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.epost.mail.submit.SmtpWiring;
import org.junit.jupiter.api.Test;

/** The configuration keys for Internet mail (ADR 0128, 0130): defaults and refusals. */
class InternetConfigTest {
  @Test
  void defaultsRequireStartTlsAndRunNoGateway() {
    DaemonConfig c = DaemonConfig.defaults();
    assertEquals(SmtpWiring.SmarthostTls.STARTTLS, c.smarthostTls());
    assertEquals(Optional.empty(), c.smarthostHost());
    assertEquals(Optional.empty(), c.gatewayListen());
    assertEquals(Optional.empty(), c.gatewayAccount());
    assertEquals("localhost", c.gatewayHostname(), "falls back to smtp.hostname");
    assertEquals(30, c.gatewayMessagesPerMinute());
    assertEquals(5, c.gatewayConnectionsPerIp());
    String sample = DaemonConfig.sample();
    assertTrue(sample.contains("#smarthost.tls = required"), sample);
    assertTrue(sample.contains("#gateway.listen = "), sample);
  }

  @Test
  void theKeysParse() throws Exception {
    DaemonConfig c =
        DaemonConfig.parseText(
            "smarthost.tls = opportunistic\n"
                + "gateway.listen = 127.0.0.1:2525\n"
                + "gateway.account = Gateway@Ring.Example\n"
                + "gateway.hostname = mx.ring.example\n");
    assertEquals(SmtpWiring.SmarthostTls.OPPORTUNISTIC, c.smarthostTls());
    assertEquals(2525, c.gatewayListen().orElseThrow().getPort());
    assertEquals(Optional.of("gateway@ring.example"), c.gatewayAccount());
    assertEquals("mx.ring.example", c.gatewayHostname());
  }

  @Test
  void aBadValueIsRefusedNamingTheKey() {
    var tls =
        assertThrows(
            DaemonConfig.ConfigException.class,
            () -> DaemonConfig.parseText("smarthost.tls = yes\n"));
    assertTrue(
        tls.getMessage().startsWith("smarthost.tls = 'yes' is not one of"), tls.getMessage());
    var account =
        assertThrows(
            DaemonConfig.ConfigException.class,
            () -> DaemonConfig.parseText("gateway.account = gateway\n"));
    assertTrue(account.getMessage().startsWith("gateway.account = "), account.getMessage());
    var listen =
        assertThrows(
            DaemonConfig.ConfigException.class,
            () -> DaemonConfig.parseText("gateway.listen = 25\n"));
    assertTrue(listen.getMessage().startsWith("gateway.listen = "), listen.getMessage());
    var rate =
        assertThrows(
            DaemonConfig.ConfigException.class,
            () -> DaemonConfig.parseText("gateway.messages-per-minute = 0\n"));
    assertTrue(rate.getMessage().startsWith("gateway.messages-per-minute = "), rate.getMessage());
  }
}
