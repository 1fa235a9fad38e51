package org.epost.mail.submit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.epost.crypto.api.UserIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger's file is rewritten from memory when it holds far more records than live states; what
 * it showed before the rewrite it shows after it and after reopening.
 */
class DeliveryLedgerTest {
  @TempDir Path dir;

  @Test
  void aRewrittenLedgerKeepsEveryStateAndShrinks() throws Exception {
    UserIdentity identity = UserIdentity.generate(new SecureRandom());
    Path file = dir.resolve("ledger.log");
    AtRestCipher cipher = AtRestCipher.forIdentity(identity, "ledger", new SecureRandom());
    long sizeBefore;
    try (DeliveryLedger l = DeliveryLedger.open(file, cipher, 100)) {
      for (int round = 0; round < 60; round++) {
        for (int m = 0; m < 50; m++) { // 3,000 records for 50 live states: rewritten twice
          l.recordDeferred("<m" + m + "@x>", "bob@ring.example", DeliveryState.QUEUED, "", 1000);
        }
      }
      for (int m = 0; m < 50; m += 2) {
        l.record("<m" + m + "@x>", "bob@ring.example", DeliveryState.DELIVERED, "", 2000);
      }
      l.sync();
      sizeBefore = Files.size(file);
    }
    assertTrue(sizeBefore < 3_000 * 40, "rewritten: " + sizeBefore + " bytes");
    assertFalse(Files.exists(dir.resolve("ledger.log.tmp")), "no file left aside");
    try (DeliveryLedger again = DeliveryLedger.open(file, cipher, 100)) {
      assertEquals(50, again.messageIds().size());
      assertEquals(DeliveryState.DELIVERED, again.status("<m0@x>").get(0).state());
      assertEquals(DeliveryState.QUEUED, again.status("<m1@x>").get(0).state());
      assertEquals(DeliveryState.DELIVERED, again.status("<m48@x>").get(0).state());
    }
  }
}
