package org.epost.imap.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.epost.imap.codec.ResponseBuilder;
import org.junit.jupiter.api.Test;

/**
 * A structure survives encoding for storage: what a client is sent (BODYSTRUCTURE, ENVELOPE, header
 * fields) is the same from the decoded tree; damaged or hostile encodings are refused, never
 * followed.
 */
class MimeStructureCodecTest {
  private static String seen(MimePart p) {
    ResponseBuilder b = new ResponseBuilder();
    StructureWriter.body(b, p, true);
    b.sp();
    StructureWriter.envelope(b, p);
    b.sp().raw(StructureWriter.filterHeader(p, java.util.List.of("SUBJECT"), false));
    return new String(b.toBytes(), StandardCharsets.ISO_8859_1);
  }

  @Test
  void roundTripGivesTheSameResponses() throws IOException {
    MimePart root =
        MimeStructureParser.parse(
            new ByteArrayInputStream(
                MimeStructureParserTest.NESTED.getBytes(StandardCharsets.ISO_8859_1)));
    byte[] encoded = MimeStructureCodec.encode(root);
    MimePart back = MimeStructureCodec.decode(encoded);
    assertEquals(seen(root), seen(back));
    assertArrayEquals(encoded, MimeStructureCodec.encode(back));
    MimePart inner = back.part(new int[] {2, 1});
    assertEquals(root.part(new int[] {2, 1}).bodyStart(), inner.bodyStart());
  }

  @Test
  void damagedEncodingsAreRefused() throws IOException {
    byte[] good =
        MimeStructureCodec.encode(
            MimeStructureParser.parse(
                new ByteArrayInputStream(
                    MimeStructureParserTest.NESTED.getBytes(StandardCharsets.ISO_8859_1))));
    assertThrows(
        IllegalArgumentException.class,
        () -> MimeStructureCodec.decode(Arrays.copyOf(good, good.length - 1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> MimeStructureCodec.decode(Arrays.copyOf(good, good.length + 1)));
    byte[] version = good.clone();
    version[0] = 9;
    assertThrows(IllegalArgumentException.class, () -> MimeStructureCodec.decode(version));
    // a huge count must not allocate: refused at once
    byte[] huge = good.clone();
    int typeLength = 1 + 32;
    huge[typeLength] = 0x7f;
    assertThrows(IllegalArgumentException.class, () -> MimeStructureCodec.decode(huge));
    // random corruption: refused or decoded, never another exception
    Random r = new Random(7);
    for (int i = 0; i < 2000; i++) {
      byte[] b = good.clone();
      b[r.nextInt(b.length)] = (byte) r.nextInt(256);
      try {
        MimeStructureCodec.decode(b);
      } catch (IllegalArgumentException expected) {
        // refused
      }
    }
  }
}
