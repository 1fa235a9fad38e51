package org.epost.crypto.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.epost.crypto.api.CryptoFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CanonicalEncodingTest {
  private static byte[] sample() {
    return CanonicalWriter.start("epost/test", 1)
        .u64(1, 42)
        .text(2, "alice@ring.example")
        .bytes(3, new byte[200])
        .u8(4, 7)
        .toByteArray();
  }

  private static void readSample(byte[] b) throws CryptoFormatException {
    CanonicalReader r = CanonicalReader.open(b, "epost/test", 1);
    r.u64(1);
    r.text(2, 1, 254);
    r.bytes(3, 0, 1000);
    r.u8(4);
    r.end();
  }

  @Test
  void roundTrip() throws Exception {
    CanonicalReader r = CanonicalReader.open(sample(), "epost/test", 1);
    assertEquals(42, r.u64(1));
    assertEquals("alice@ring.example", r.text(2, 1, 254));
    assertArrayEquals(new byte[200], r.bytes(3, 0, 1000));
    assertEquals(7, r.u8(4));
    r.end();
  }

  @Test
  void twoByteLengthIsUsedAbove127() {
    byte[] b = sample();
    // "epost/test" (10) + len byte + version = 12 bytes, then field 1 (1+1+8), field 2 (1+1+18)
    int field3 = 12 + 10 + 20;
    assertEquals(3, b[field3]);
    assertEquals((byte) (200 & 0x7F | 0x80), b[field3 + 1]);
    assertEquals(1, b[field3 + 2]);
  }

  @Test
  void rejectsTrailingBytes() {
    byte[] b = Arrays.copyOf(sample(), sample().length + 1);
    CryptoFormatException e = assertThrows(CryptoFormatException.class, () -> readSample(b));
    assertTrue(e.getMessage().contains("trailing"));
  }

  @Test
  void rejectsNonCanonicalLength() {
    // field 1 length 8 written as 0x88 0x00 (two bytes) instead of 0x08
    byte[] ok = CanonicalWriter.start("epost/test", 1).u64(1, 5).toByteArray();
    byte[] bad = new byte[ok.length + 1];
    System.arraycopy(ok, 0, bad, 0, 13);
    bad[13] = (byte) 0x88;
    bad[14] = 0;
    System.arraycopy(ok, 14, bad, 15, 8);
    CryptoFormatException e =
        assertThrows(
            CryptoFormatException.class,
            () -> {
              CanonicalReader r = CanonicalReader.open(bad, "epost/test", 1);
              r.u64(1);
              r.end();
            });
    assertTrue(e.getMessage().contains("non-canonical"));
  }

  @Test
  void rejectsUnknownVersionAndWrongContext() {
    byte[] v2 = CanonicalWriter.start("epost/test", 2).u64(1, 1).toByteArray();
    assertTrue(
        assertThrows(CryptoFormatException.class, () -> readSample(v2))
            .getMessage()
            .contains("version 2"));
    byte[] other = CanonicalWriter.start("epost/tesT", 1).u64(1, 1).toByteArray();
    assertTrue(
        assertThrows(CryptoFormatException.class, () -> readSample(other))
            .getMessage()
            .contains("context"));
  }

  @Test
  void rejectsMissingOrReorderedField() {
    byte[] b = CanonicalWriter.start("epost/test", 1).u64(1, 42).u8(4, 1).toByteArray();
    assertThrows(CryptoFormatException.class, () -> readSample(b));
  }

  @Test
  void rejectsHugeDeclaredLengthWithoutAllocating() {
    byte[] b = {
      10,
      'e',
      'p',
      'o',
      's',
      't',
      '/',
      't',
      'e',
      's',
      't',
      1,
      1,
      (byte) 0xFF,
      (byte) 0xFF,
      (byte) 0xFF,
      0x7F
    };
    assertThrows(CryptoFormatException.class, () -> readSample(b));
  }

  @Test
  void writerRejectsDecreasingTags() {
    CanonicalWriter w = CanonicalWriter.start("epost/test", 1).u8(2, 1);
    assertThrows(IllegalArgumentException.class, () -> w.u8(1, 1));
  }

  /** 2,000 seeds of random input: the empty array, then up to 255 random bytes. */
  static LongStream seeds() {
    return LongStream.range(0, 2000);
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void randomBytesOnlyEverFailWithFormatException(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] junk = new byte[seed == 0 ? 0 : r.nextInt(256)];
    r.nextBytes(junk);
    try {
      readSample(junk);
    } catch (CryptoFormatException expected) {
      // the only allowed failure
    }
  }

  /** Every proper prefix of the sample, from empty to one byte short. */
  static IntStream cuts() {
    return IntStream.range(0, sample().length);
  }

  @ParameterizedTest
  @MethodSource("cuts")
  void everyTruncationFails(int cut) {
    byte[] b = Arrays.copyOf(sample(), cut);
    assertThrows(CryptoFormatException.class, () -> readSample(b));
  }
}
