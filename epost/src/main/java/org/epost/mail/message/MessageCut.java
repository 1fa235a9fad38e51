package org.epost.mail.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.epost.imap.mime.MimePart;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartRole;

/**
 * Where a message is cut into stored parts: the top-level header section, then every leaf body over
 * {@link #OWN_PART_BYTES} as a part of its own ({@code BODY} for text, {@code ATTACHMENT}
 * otherwise), the bytes between them merged into {@code BODY} parts. Works on any tree the lenient
 * parser produced: ranges that overlap, run backwards or leave the message are not cut at.
 *
 * @param segments the segments in message order (part indices from {@link
 *     MessageLayout#HEADER_PART})
 * @param parts for each part index from 1, its role and MIME path
 */
record MessageCut(List<Segment> segments, List<PartSpec> parts) {
  /** A leaf body at least this large is a part of its own. */
  static final int OWN_PART_BYTES = 4 * 1024;

  /** Leaves cut out at most (each costs up to two parts; the store takes 256). */
  static final int MAX_OWN_PARTS = 100;

  /** What one stored part (index from 1) holds. */
  record PartSpec(PartRole role, String mimePath) {}

  private record Leaf(long start, long end, PartRole role, String path) {}

  static MessageCut of(MimePart root, long size) {
    long headerEnd = Math.min(Math.max(0, root.bodyStart()), size);
    List<Leaf> leaves = new ArrayList<>();
    collect(root, "", leaves);
    List<Segment> segments = new ArrayList<>();
    List<PartSpec> parts = new ArrayList<>();
    parts.add(null); // index 0 is the structure
    if (headerEnd > 0) {
      segments.add(new Segment(0, headerEnd, parts.size()));
      parts.add(new PartSpec(PartRole.HEADER, ""));
    } else {
      // a message without a header section still has a (empty) HEADER part index
      parts.add(new PartSpec(PartRole.HEADER, ""));
    }
    long at = headerEnd;
    int own = 0;
    for (Leaf l : leaves) {
      if (own >= MAX_OWN_PARTS) {
        break;
      }
      if (l.start < at || l.end > size || l.end - l.start < OWN_PART_BYTES) {
        continue;
      }
      if (l.start > at) {
        segments.add(new Segment(at, l.start - at, parts.size()));
        parts.add(new PartSpec(PartRole.BODY, ""));
      }
      segments.add(new Segment(l.start, l.end - l.start, parts.size()));
      parts.add(new PartSpec(l.role, l.path));
      at = l.end;
      own++;
    }
    if (at < size) {
      segments.add(new Segment(at, size - at, parts.size()));
      parts.add(new PartSpec(PartRole.BODY, ""));
    }
    return new MessageCut(segments, parts);
  }

  private static void collect(MimePart p, String path, List<Leaf> out) {
    if (p.isMultipart()) {
      for (int i = 0; i < p.children().size(); i++) {
        collect(p.children().get(i), child(path, i + 1), out);
      }
      return;
    }
    if (p.message() != null) {
      MimePart m = p.message();
      if (m.isMultipart()) {
        for (int i = 0; i < m.children().size(); i++) {
          collect(m.children().get(i), child(path.isEmpty() ? "1" : path, i + 1), out);
        }
      } else {
        collect(m, path.isEmpty() ? "1" : path, out);
      }
      return;
    }
    String leafPath = path.isEmpty() ? "1" : path;
    if (leafPath.getBytes(StandardCharsets.UTF_8).length > PartInfo.MAX_MIME_PATH) {
      leafPath = "";
    }
    PartRole role =
        p.type().toLowerCase(Locale.ROOT).equals("text") ? PartRole.BODY : PartRole.ATTACHMENT;
    out.add(new Leaf(p.bodyStart(), p.end(), role, leafPath));
  }

  private static String child(String path, int n) {
    return path.isEmpty() ? Integer.toString(n) : path + "." + n;
  }
}
