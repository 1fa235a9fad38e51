package org.epost.overlay.sim;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * The simulation's {@link org.epost.overlay.api.RandomSource#secure()}: a deterministic generator
 * (SHA-256 over a 32-byte state and a counter) seeded from a node's seed, so that key generation,
 * sealing nonces and every other draw protocol code makes through it repeat exactly with the seed.
 * Keys made from it are not secret, which a simulation does not need; real nodes use the platform's
 * generator.
 */
final class SeededSecureRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;

  SeededSecureRandom(long seed) {
    super(new Spi(seed), null);
  }

  private static final class Spi extends SecureRandomSpi {
    private static final long serialVersionUID = 1L;
    private final transient MessageDigest sha256;
    private final byte[] state = new byte[32];
    private long counter;

    Spi(long seed) {
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
      mix(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
    }

    private void mix(byte[] input) {
      sha256.update(state);
      sha256.update(input);
      System.arraycopy(sha256.digest(), 0, state, 0, state.length);
    }

    @Override
    protected void engineSetSeed(byte[] seed) {
      mix(seed);
    }

    @Override
    protected void engineNextBytes(byte[] bytes) {
      int off = 0;
      while (off < bytes.length) {
        sha256.update(state);
        sha256.update(ByteBuffer.allocate(Long.BYTES).putLong(counter++).array());
        byte[] block = sha256.digest();
        int n = Math.min(block.length, bytes.length - off);
        System.arraycopy(block, 0, bytes, off, n);
        off += n;
      }
    }

    @Override
    protected byte[] engineGenerateSeed(int numBytes) {
      byte[] out = new byte[numBytes];
      engineNextBytes(out);
      return out;
    }
  }
}
