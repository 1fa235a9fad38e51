package org.epost.crypto.bench;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.OpenedEnvelope;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.seal.Sealer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Seal-and-sign and open-and-verify of a 4.7 KB payload. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SealBenchmark {
  private final SecureRandom random = new SecureRandom();
  private final Sealer sealer = new Sealer(random);
  private final Instant now = Instant.parse("2030-01-01T00:00:00Z");
  private UserIdentity alice;
  private UserIdentity bob;
  private byte[] payload;
  private byte[] envelope;

  @Setup
  public void setUp() {
    alice = UserIdentity.generate(random);
    bob = UserIdentity.generate(random);
    payload = new byte[4700];
    random.nextBytes(payload);
    envelope = sealer.seal(alice.signing(), bob.encryption().publicKey(), now, payload);
  }

  @Benchmark
  public byte[] sealAndSign4700() {
    return sealer.seal(alice.signing(), bob.encryption().publicKey(), now, payload);
  }

  @Benchmark
  public OpenedEnvelope openAndVerify4700() throws CryptoException {
    return Sealer.open(bob.encryption(), envelope);
  }
}
