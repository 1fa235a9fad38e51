package org.epost.crypto.api;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.crypto.seal.Sealer;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every decoder, fed random bytes or a truncated or mutated valid encoding, fails only with this
 * module's documented {@link CryptoException}; any other exception fails the property.
 */
class DecoderFuzzTest {
  interface Decoder {
    void decode(byte[] b) throws CryptoException;
  }

  private static final SigningKeyPair CA = SigningKeyPair.generate(TestBytes.seeded(1));
  private static final UserIdentity USER = UserIdentity.generate(TestBytes.seeded(2));
  private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
  private static final EncryptedBlock BLOCK =
      new ConvergentEncryption(new byte[32]).encryptBlock(new byte[40]);

  private static final List<Decoder> DECODERS =
      List.of(
          UserCertificate::decode,
          NodeCertificate::decode,
          RevocationList::decode,
          SignedObject::decode,
          EquivocationProof::decode,
          ContentKey::decode,
          b -> Sealer.open(USER.encryption(), b),
          b -> ConvergentEncryption.decryptBlock(BLOCK.key(), b),
          SigningPublicKey::fromBytes,
          NodeId::fromBytes,
          BlockId::fromBytes);

  private static final List<byte[]> VALID =
      List.of(
          UserCertificate.issue(
                  CA,
                  1,
                  "a@b.example",
                  USER.signing().publicKey(),
                  USER.encryption().publicKey(),
                  T,
                  T.plusSeconds(60))
              .encode(),
          NodeCertificate.issue(
                  CA, 2, NodeId.fromPublicKey(CA.publicKey()), CA.publicKey(), T, T.plusSeconds(60))
              .encode(),
          RevocationList.issue(CA, 1, T, List.of(1L, 2L)).encode(),
          SignedObject.sign(CA, new byte[] {1}, 3, new byte[] {4}).encode(),
          EquivocationProof.of(
                  SignedObject.sign(CA, new byte[] {1}, 3, new byte[] {4}),
                  SignedObject.sign(CA, new byte[] {1}, 3, new byte[] {5}))
              .encode(),
          BLOCK.key().encode(),
          new Sealer(TestBytes.seeded(3)).seal(CA, USER.encryption().publicKey(), T, new byte[8]),
          BLOCK.bytes());

  private static void onlyCryptoExceptions(byte[] input) {
    for (Decoder d : DECODERS) {
      try {
        d.decode(input);
      } catch (CryptoException expected) {
        // documented failure
      }
    }
  }

  /** 1,000 seeds; each gives one random input and one truncation and mutation. */
  static LongStream seeds() {
    return LongStream.range(0, 1000);
  }

  /** Random bytes: the empty array, then up to 255 random bytes. */
  @ParameterizedTest
  @MethodSource("seeds")
  void randomBytes(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] junk = new byte[seed == 0 ? 0 : r.nextInt(256)];
    r.nextBytes(junk);
    onlyCryptoExceptions(junk);
  }

  /**
   * A valid encoding cut at a random length, and the same encoding with one byte replaced by a
   * random value.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void truncatedAndMutatedValidEncodings(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] valid = VALID.get(r.nextInt(VALID.size()));
    byte[] truncated = Arrays.copyOf(valid, r.nextInt(valid.length + 1));
    onlyCryptoExceptions(truncated);
    byte[] mutated = valid.clone();
    mutated[r.nextInt(valid.length)] = (byte) r.nextInt(256);
    onlyCryptoExceptions(mutated);
    byte[] extended = Arrays.copyOf(valid, valid.length + 1 + r.nextInt(16));
    extended[extended.length - 1] = (byte) r.nextInt(256);
    onlyCryptoExceptions(extended);
  }
}
