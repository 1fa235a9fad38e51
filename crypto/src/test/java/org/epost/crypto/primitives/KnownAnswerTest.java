package org.epost.crypto.primitives;

import static org.epost.crypto.testing.TestBytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.epost.crypto.api.AgreementKeyPair;
import org.epost.crypto.api.AgreementPublicKey;
import org.epost.crypto.api.SigningKeyPair;
import org.epost.crypto.api.SigningPublicKey;
import org.epost.crypto.api.VerificationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Published known-answer vectors for every primitive the module uses. */
class KnownAnswerTest {

  /** RFC 8032 section 7.1, TEST 1, 2 and 3 (seed, public key, message, signature). */
  @ParameterizedTest(name = "RFC 8032 Ed25519 test {index}")
  @CsvSource({
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60,"
        + "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a,"
        + "'',"
        + "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb,"
        + "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c,"
        + "72,"
        + "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7,"
        + "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025,"
        + "af82,"
        + "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
  })
  void ed25519(String seed, String pub, String msg, String sig) throws Exception {
    SigningKeyPair kp = SigningKeyPair.fromSeed(hex(seed));
    assertEquals(pub, hex(kp.publicKey().toBytes()));
    byte[] m = hex(msg);
    assertEquals(sig, hex(kp.sign(m)));
    SigningPublicKey pk = SigningPublicKey.fromBytes(hex(pub));
    assertTrue(pk.verify(m, hex(sig)));
    byte[] other = hex(sig);
    other[0] ^= 1;
    assertFalse(pk.verify(m, other));
  }

  /** RFC 7748 section 5.2, the two single scalar multiplications. */
  @ParameterizedTest(name = "RFC 7748 5.2 vector {index}")
  @CsvSource({
    "a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4,"
        + "e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c,"
        + "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552",
    "4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d,"
        + "e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493,"
        + "95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"
  })
  void x25519ScalarMult(String scalar, String u, String out) throws Exception {
    AgreementKeyPair kp = AgreementKeyPair.fromPrivate(hex(scalar));
    assertEquals(out, hex(kp.agree(AgreementPublicKey.fromBytes(hex(u)))));
  }

  /** RFC 7748 section 6.1, the Diffie-Hellman example. */
  @org.junit.jupiter.api.Test
  void x25519DiffieHellman() throws Exception {
    AgreementKeyPair alice =
        AgreementKeyPair.fromPrivate(
            hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    AgreementKeyPair bob =
        AgreementKeyPair.fromPrivate(
            hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    assertEquals(
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        hex(alice.publicKey().toBytes()));
    assertEquals(
        "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
        hex(bob.publicKey().toBytes()));
    String k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertEquals(k, hex(alice.agree(bob.publicKey())));
    assertEquals(k, hex(bob.agree(alice.publicKey())));
  }

  @org.junit.jupiter.api.Test
  void x25519RejectsLowOrderPoint() throws Exception {
    AgreementKeyPair alice =
        AgreementKeyPair.fromPrivate(
            hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    assertThrows(
        VerificationException.class, () -> alice.agree(AgreementPublicKey.fromBytes(new byte[32])));
  }

  /** RFC 5869 appendix A.1, A.2, A.3 (the SHA-256 cases). */
  @ParameterizedTest(name = "RFC 5869 test case {index}")
  @CsvSource({
    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, 000102030405060708090a0b0c,"
        + "f0f1f2f3f4f5f6f7f8f9, 42,"
        + "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5,"
        + "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
        + "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
        + "404142434445464748494a4b4c4d4e4f,"
        + "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
        + "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
        + "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf,"
        + "b0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
        + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef"
        + "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff, 82,"
        + "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244,"
        + "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
        + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
        + "cc30c58179ec3e87c14c01d5c1f3434f1d87",
    "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b, '', '', 42,"
        + "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04,"
        + "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
  })
  void hkdf(String ikm, String salt, String info, int len, String prk, String okm) {
    assertEquals(prk, hex(Hkdf.extract(hex(salt), hex(ikm))));
    assertEquals(okm, hex(Hkdf.derive(hex(salt), hex(ikm), hex(info), len)));
  }

  /** GCM specification (McGrew and Viega), appendix B, test cases 13, 14 and 16 (AES-256). */
  @ParameterizedTest(name = "GCM spec AES-256 case {index}")
  @CsvSource({
    "0000000000000000000000000000000000000000000000000000000000000000,"
        + "000000000000000000000000, '', '', '', 530f8afbc74536b9a963b4f1c4cb738b",
    "0000000000000000000000000000000000000000000000000000000000000000,"
        + "000000000000000000000000, 00000000000000000000000000000000, '',"
        + "cea7403d4d606b6e074ec5d3baf39d18, d0d1c8a799996bf0265b98b5d48ab919",
    "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308,"
        + "cafebabefacedbaddecaf888,"
        + "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39,"
        + "feedfacedeadbeeffeedfacedeadbeefabaddad2,"
        + "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662,"
        + "76fc6ece0f4e1768cddf8853bb2d551b"
  })
  void aesGcm(String key, String iv, String pt, String aad, String ct, String tag)
      throws Exception {
    byte[] aadBytes = aad.isEmpty() ? null : hex(aad);
    byte[] out = AesGcm.encrypt(hex(key), hex(iv), aadBytes, hex(pt));
    assertEquals(ct + tag, hex(out));
    assertArrayEquals(hex(pt), AesGcm.decrypt(hex(key), hex(iv), aadBytes, out));
    out[out.length - 1] ^= 1;
    byte[] tampered = out;
    assertThrows(
        VerificationException.class, () -> AesGcm.decrypt(hex(key), hex(iv), aadBytes, tampered));
  }

  @org.junit.jupiter.api.Test
  void sameKeyAndNonceTwiceInARowStillEncrypts() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] a = AesGcm.encrypt(key, nonce, null, new byte[16]);
    byte[] b = AesGcm.encrypt(key, nonce, null, new byte[16]);
    assertArrayEquals(a, b);
  }

  @org.junit.jupiter.api.Test
  void sha256OfAbc() {
    assertEquals(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        hex(Sha256.hash("abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII))));
  }
}
