package org.epost.crypto.bench;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.SigningKeyPair;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ed25519 over a 100-byte message (the size of a log head): the module's implementation (Bouncy
 * Castle's low-level Ed25519) against the JDK's SunEC provider.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Ed25519Benchmark {
  private final byte[] message = new byte[100];
  private SigningKeyPair bc;
  private byte[] bcSignature;
  private Signature jdkSigner;
  private Signature jdkVerifier;
  private byte[] jdkSignature;

  @Setup
  public void setUp() throws GeneralSecurityException {
    SecureRandom random = new SecureRandom();
    random.nextBytes(message);
    bc = SigningKeyPair.generate(random);
    bcSignature = bc.sign(message);
    KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    jdkSigner = Signature.getInstance("Ed25519");
    jdkSigner.initSign(kp.getPrivate());
    jdkVerifier = Signature.getInstance("Ed25519");
    jdkVerifier.initVerify(kp.getPublic());
    jdkSigner.update(message);
    jdkSignature = jdkSigner.sign();
  }

  @Benchmark
  public byte[] bouncyCastleSign() {
    return bc.sign(message);
  }

  @Benchmark
  public boolean bouncyCastleVerify() {
    return bc.publicKey().verify(message, bcSignature);
  }

  @Benchmark
  public byte[] jdkSign() throws GeneralSecurityException {
    jdkSigner.update(message);
    return jdkSigner.sign();
  }

  @Benchmark
  public boolean jdkVerify() throws GeneralSecurityException {
    jdkVerifier.update(message);
    return jdkVerifier.verify(jdkSignature);
  }
}
