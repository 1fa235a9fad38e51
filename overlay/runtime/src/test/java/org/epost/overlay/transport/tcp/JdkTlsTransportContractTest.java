package org.epost.overlay.transport.tcp;

/**
 * The transport contract on the JDK's TLS engine, the fallback where OpenSSL does not load (ADR
 * 0090).
 */
class JdkTlsTransportContractTest extends TcpTransportContractTest {
  @Override
  protected TlsEngine engine() {
    return TlsEngine.JDK;
  }
}
