package org.epost.crypto.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.content.ConvergentEncryption;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Content-hash encryption and decryption through the module's API, on 16 distinct inputs per
 * size (distinct messages, as in real use). Compare with {@link RawBaselineBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ContentHashBenchmark {
  @Param({"4700", "1048576"})
  public int size;

  private final ConvergentEncryption chk = new ConvergentEncryption(new byte[32]);
  private byte[][] inputs;
  private EncryptedBlock[] blocks;
  private int next;

  @Setup
  public void setUp() {
    Random r = new Random(size);
    inputs = new byte[16][size];
    blocks = new EncryptedBlock[16];
    for (int i = 0; i < 16; i++) {
      r.nextBytes(inputs[i]);
      blocks[i] = chk.encryptBlock(inputs[i]);
    }
  }

  @Benchmark
  public EncryptedBlock encrypt() {
    return chk.encryptBlock(inputs[next++ & 15]);
  }

  @Benchmark
  public byte[] decrypt() throws CryptoException {
    EncryptedBlock b = blocks[next++ & 15];
    return ConvergentEncryption.decryptBlock(b.key(), b.bytes());
  }
}
