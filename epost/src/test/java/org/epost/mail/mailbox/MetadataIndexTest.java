package org.epost.mail.mailbox;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.imap.mime.MimeStructureCodec;
import org.epost.imap.mime.MimeStructureParser;
import org.epost.mail.message.MessageLayout;
import org.epost.post.api.MessageRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metadata index on disk: bounded, compacted when dead records outweigh live ones, and what it
 * kept readable after the compaction and after reopening.
 */
class MetadataIndexTest {
  @TempDir Path dir;

  private static MessageRef ref(int i) {
    byte[] b = ("message " + i).getBytes(StandardCharsets.UTF_8);
    return new MessageRef(new ContentKey(BlockId.of(b), new byte[32], ContentKey.Kind.DATA, 10));
  }

  /** A layout whose MIME structure names message {@code i} (so each one is told apart). */
  private static MessageLayout layout(int i) throws Exception {
    byte[] message =
        ("Subject: message "
                + i
                + "\r\nContent-Type: text/plain; name=\"part"
                + i
                + "\"\r\n\r\nhi\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] structure =
        MimeStructureCodec.encode(MimeStructureParser.parse(new ByteArrayInputStream(message)));
    return new MessageLayout(0, List.of(), structure);
  }

  @Test
  void compactionKeepsTheLiveEntriesReadableAndTheFileSmall() throws Exception {
    byte[] key = new byte[32];
    Path file = dir.resolve("index").resolve("metadata.idx");
    try (MetadataIndex index = MetadataIndex.open(dir.resolve("index"), key, 100)) {
      for (int i = 0; i < 20_000; i++) {
        index.put(ref(i), layout(i)); // several MB written, 100 entries live
      }
      assertEquals(100, index.size());
      assertTrue(Files.size(file) < 1 << 20, "compacted: " + Files.size(file) + " bytes");
      assertArrayEquals(layout(19_999).mimeStructure(), index.get(ref(19_999)).mimeStructure());
      assertArrayEquals(layout(19_900).mimeStructure(), index.get(ref(19_900)).mimeStructure());
      assertNull(index.get(ref(19_899)), "evicted");
    }
    assertFalse(Files.exists(file.resolveSibling("metadata.idx.tmp")), "no file left aside");
    try (MetadataIndex again = MetadataIndex.open(dir.resolve("index"), key, 100)) {
      assertEquals(100, again.size());
      for (int i = 19_900; i < 20_000; i++) {
        assertArrayEquals(layout(i).mimeStructure(), again.get(ref(i)).mimeStructure(), "" + i);
      }
    }
  }
}
