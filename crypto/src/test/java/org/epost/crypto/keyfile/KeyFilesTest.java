package org.epost.crypto.keyfile;

import static org.epost.crypto.testing.TestBytes.flip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.NodeIdentity;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.api.WrongPassphraseException;
import org.epost.crypto.testing.TestBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  private static final ScryptParameters FAST = new ScryptParameters(10, 8, 1);
  private final KeyFiles files = new KeyFiles(TestBytes.seeded(1), FAST);
  private final UserIdentity alice = UserIdentity.generate(TestBytes.seeded(2));
  private final char[] pass = "correct horse battery staple".toCharArray();
  @TempDir Path dir;

  @Test
  void userRoundTripWithOwnerOnlyPermissionsAndNoLeftovers() throws Exception {
    Path p = dir.resolve("alice.key");
    files.write(p, alice, pass);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
    UserIdentity back = KeyFiles.readUser(p, pass);
    assertEquals(alice.signing().publicKey(), back.signing().publicKey());
    assertEquals(alice.encryption().publicKey(), back.encryption().publicKey());
    try (var listing = Files.list(dir)) {
      assertEquals(1, listing.count(), "no temporary file is left behind");
    }
  }

  @Test
  void nodeRoundTripAndKindIsChecked() throws Exception {
    NodeIdentity node = NodeIdentity.generate(TestBytes.seeded(3));
    Path p = dir.resolve("node.key");
    files.write(p, node, pass);
    assertEquals(node.derivedId(), KeyFiles.readNode(p, pass).derivedId());
    assertTrue(
        assertThrows(CryptoFormatException.class, () -> KeyFiles.readUser(p, pass))
            .getMessage()
            .contains("node identity"));
  }

  @Test
  void overwriteReplacesAtomically() throws Exception {
    Path p = dir.resolve("alice.key");
    files.write(p, alice, pass);
    UserIdentity other = UserIdentity.generate(TestBytes.seeded(4));
    files.write(p, other, "new".toCharArray());
    assertEquals(
        other.signing().publicKey(),
        KeyFiles.readUser(p, "new".toCharArray()).signing().publicKey());
  }

  @Test
  void wrongPassphraseIsReportedAsSuch() throws Exception {
    Path p = dir.resolve("alice.key");
    files.write(p, alice, pass);
    byte[] before = Files.readAllBytes(p);
    WrongPassphraseException e =
        assertThrows(
            WrongPassphraseException.class,
            () -> KeyFiles.readUser(p, "Correct horse battery staple".toCharArray()));
    assertTrue(e.getMessage().contains("wrong passphrase"));
    assertArrayEquals(before, Files.readAllBytes(p), "a failed read never touches the file");
  }

  @Test
  void everyBitFlipIsReportedAsDamage() throws Exception {
    byte[] good = files.seal(KeyFiles.KIND_USER, new byte[32], new byte[32], pass);
    for (int bit = 0; bit < good.length * 8; bit++) {
      try {
        KeyFiles.open(flip(good, bit), pass, KeyFiles.KIND_USER, "test");
        fail("bit " + bit + " flipped undetected");
      } catch (CryptoFormatException expected) {
        assertTrue(expected.getMessage().contains("damaged"), expected.getMessage());
      } catch (CryptoException other) {
        fail("bit " + bit + ": expected a damage report, got " + other);
      }
    }
  }

  @Test
  void truncatedFilesAreReportedAsDamage() throws Exception {
    byte[] good = files.seal(KeyFiles.KIND_USER, new byte[32], new byte[32], pass);
    for (int len = 0; len < good.length; len++) {
      byte[] cut = Arrays.copyOf(good, len);
      assertThrows(
          CryptoFormatException.class, () -> KeyFiles.open(cut, pass, KeyFiles.KIND_USER, "test"));
    }
  }

  @Test
  void hostileScryptParametersAreRefusedBeforeDerivation() {
    assertThrows(IllegalArgumentException.class, () -> new ScryptParameters(30, 8, 1));
    assertThrows(IllegalArgumentException.class, () -> new ScryptParameters(22, 32, 1));
  }
}
