package org.epost.crypto.bench;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The physical limit of the construction with bare JDK primitives, no API: encryption is one
 * HMAC-SHA-256 pass over the plaintext (the key), AES-256-GCM, one SHA-256 pass over the
 * ciphertext (the id); decryption is SHA-256 over the ciphertext plus AES-256-GCM. Same 16
 * inputs per size as {@link ContentHashBenchmark}; Mac, Cipher and MessageDigest are created
 * once per thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RawBaselineBenchmark {
  @Param({"4700", "1048576"})
  public int size;

  private final byte[] nonce = new byte[12];
  private Mac mac;
  private Cipher cipher;
  private MessageDigest sha;
  private byte[][] inputs;
  private byte[][] keys;
  private byte[][] ciphertexts;
  private int next;

  @Setup
  public void setUp() throws GeneralSecurityException {
    mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
    cipher = Cipher.getInstance("AES/GCM/NoPadding");
    sha = MessageDigest.getInstance("SHA-256");
    Random r = new Random(size);
    inputs = new byte[16][size];
    keys = new byte[16][];
    ciphertexts = new byte[16][];
    for (int i = 0; i < 16; i++) {
      r.nextBytes(inputs[i]);
      keys[i] = mac.doFinal(inputs[i]);
      ciphertexts[i] = encryptOnce(keys[i], inputs[i]);
    }
  }

  private byte[] encryptOnce(byte[] key, byte[] in) throws GeneralSecurityException {
    cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
        new GCMParameterSpec(128, nonce));
    byte[] out = new byte[in.length + 16];
    cipher.doFinal(in, 0, in.length, out, 0);
    return out;
  }

  @Benchmark
  public byte[] encrypt() throws GeneralSecurityException {
    byte[] in = inputs[next++ & 15];
    byte[] key = mac.doFinal(in);
    byte[] out = encryptOnce(key, in);
    return sha.digest(out);
  }

  @Benchmark
  public byte[] decrypt() throws GeneralSecurityException {
    int i = next++ & 15;
    byte[] ct = ciphertexts[i];
    byte[] id = sha.digest(ct);
    cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys[i], "AES"),
        new GCMParameterSpec(128, nonce));
    byte[] out = new byte[ct.length - 16];
    cipher.doFinal(ct, 0, ct.length, out, 0);
    return id.length > 0 ? out : null;
  }
}
