package org.epost.post.store;

import java.util.ArrayList;
import java.util.List;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;

/**
 * The size mix the store's benchmarks and cost tests use, from short text to multi-megabyte
 * attachments: of every 20 messages, 12 short texts (header 800 B, body 1.5 KB), 5 ordinary
 * messages (header 1 KB, body 4 KB), 2 with a 200 KB attachment and 1 with a 3 MB attachment
 * (header 1.2 KB, structure 300 B, body 2 KB besides).
 */
final class SizeMix {
  private SizeMix() {}

  static List<PartInput> message(int i) {
    long seed = 1_000L * i;
    List<PartInput> parts = new ArrayList<>();
    int slot = i % 20;
    if (slot < 12) {
      parts.add(PartInput.of(PartRole.HEADER, "", Content.bytes(seed, 800)));
      parts.add(PartInput.of(PartRole.BODY, "1", Content.bytes(seed + 1, 1_500)));
    } else if (slot < 17) {
      parts.add(PartInput.of(PartRole.HEADER, "", Content.bytes(seed, 1_000)));
      parts.add(PartInput.of(PartRole.BODY, "1", Content.bytes(seed + 1, 4_000)));
    } else {
      int attachment = slot < 19 ? 200_000 : 3_000_000;
      parts.add(PartInput.of(PartRole.HEADER, "", Content.bytes(seed, 1_200)));
      parts.add(PartInput.of(PartRole.STRUCTURE, "", Content.bytes(seed + 1, 300)));
      parts.add(PartInput.of(PartRole.BODY, "1", Content.bytes(seed + 2, 2_000)));
      parts.add(
          new PartInput(
              PartRole.ATTACHMENT, "2", Content.stream(seed + 3, attachment), attachment));
    }
    return parts;
  }
}
