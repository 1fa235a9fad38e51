package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.imap.api.FlagUpdate;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.api.StoreResult;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;
import org.epost.imap.codec.ResponseBuilder;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.StructureWriter;

/**
 * FETCH and UID FETCH: writes one FETCH response per message, streaming body sections from the
 * backend in chunks so a large message never sits in memory.
 */
final class FetchCommand {
  private FetchCommand() {}

  /** Messages whose structures are asked of the backend in one call. */
  static final int STRUCTURE_BATCH = 256;

  static void run(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    FetchRequest req = FetchRequest.parse(r);
    if (req.vanished() && (!uid || !s.qresync)) {
      throw CommandFailed.bad("VANISHED needs UID FETCH and ENABLE QRESYNC (RFC 7162 3.2.6)");
    }
    if (req.changedSince() >= 0 || req.items().stream().anyMatch(i -> i.name().equals("MODSEQ"))) {
      s.condstore = true;
    }
    List<Long> uids = MessageCommands.uids(s, req.set(), uid);
    if (req.vanished()) {
      vanishedEarlier(s, req.set(), req.changedSince());
    }
    if (req.changedSince() >= 0) {
      List<Long> changed = new ArrayList<>();
      for (long u : uids) {
        if (s.selected.byMsn(s.selected.msnOf(u)).modSeq() > req.changedSince()) {
          changed.add(u);
        }
      }
      uids = changed;
    }
    boolean wantsSeen =
        !s.selected.readOnly && req.items().stream().anyMatch(FetchRequest.Item::setsSeen);
    boolean hasFlags = req.items().stream().anyMatch(i -> i.name().equals("FLAGS"));
    boolean hasUid = req.items().stream().anyMatch(i -> i.name().equals("UID"));
    boolean hasModSeq = req.items().stream().anyMatch(i -> i.name().equals("MODSEQ"));
    boolean needsStructure = req.items().stream().anyMatch(FetchRequest.Item::needsStructure);
    ResponseBuilder b = new ResponseBuilder();
    boolean expungeIssued = false;
    List<Long> seen = new ArrayList<>();
    Map<Long, MimePart> structures = Map.of();
    for (int i = 0; i < uids.size(); i++) {
      long u = uids.get(i);
      if (needsStructure && i % STRUCTURE_BATCH == 0) {
        structures = structures(s, uids.subList(i, Math.min(uids.size(), i + STRUCTURE_BATCH)));
      }
      int msn = s.selected.msnOf(u);
      MessageRecord m = s.selected.byMsn(msn);
      // Everything this message's response needs from the store is obtained before its first byte
      // is written: once "{n}" is announced, n bytes must follow (RFC 3501 4.3, RFC 2180 4.1).
      MimePart structure = needsStructure ? structures.get(u) : null;
      List<Body> bodies;
      try {
        if (needsStructure && structure == null) {
          throw CommandFailed.no("NONEXISTENT", "expunged");
        }
        bodies = open(s, req, m, structure);
      } catch (CommandFailed e) {
        if (!"NONEXISTENT".equals(e.code())) {
          throw e;
        }
        // expunged by another session since our snapshot: report it at the next allowed point
        expungeIssued = true;
        s.selected.markDirty();
        continue;
      }
      try {
        boolean addFlags = false;
        if (wantsSeen && !m.flags().contains(Flags.SEEN)) {
          StoreResult res =
              s.call(
                  () ->
                      s.user.storeFlags(
                          s.selected.name,
                          List.of(u),
                          FlagUpdate.ADD,
                          Set.of(Flags.SEEN),
                          Long.MAX_VALUE));
          MessageRecord now = res.records().get(u);
          if (now != null) {
            s.selected.stored(msn, now);
            seen.add(u);
            m = now;
            addFlags = !hasFlags;
          }
        }
        if (hasFlags || addFlags) {
          s.selected.announceKeywords(m.flags(), s.out);
        }
        b.reset().raw("* ").number(msn).raw(" FETCH (");
        boolean first = true;
        if (uid && !hasUid) {
          b.raw("UID ").number(u);
          first = false;
        }
        int next = 0;
        for (FetchRequest.Item item : req.items()) {
          if (!first) {
            b.sp();
          }
          first = false;
          writeItem(s, b, item, m, structure, item.isBodySection() ? bodies.get(next++) : null);
        }
        if (addFlags) {
          b.raw(" FLAGS ").raw(s.selected.flagsOf(m.uid(), m.flags()));
          if (s.condstore && !hasModSeq) {
            // RFC 7162 3.1.4.1: a flag change made by FETCH is reported with its MODSEQ
            b.raw(" MODSEQ (").number(m.modSeq()).raw(')');
          }
        }
        b.raw(')').crlf();
        s.out.write(b);
      } finally {
        for (Body body : bodies) {
          body.close();
        }
      }
    }
    // messages this FETCH marked \Seen move the session's kept searches (RFC 5267)
    s.live.changed(seen);
    if (expungeIssued) {
      s.syncIfSelected(uid);
      s.out.tagged(tag, "NO [EXPUNGEISSUED] Some of the requested messages were expunged");
      return;
    }
    if (uid) {
      s.ok(tag, "UID FETCH completed");
    } else {
      s.okNoExpunge(tag, "FETCH completed");
    }
  }

  /**
   * {@code * VANISHED (EARLIER)} for the UIDs of the set expunged after a mod-sequence (RFC 7162
   * 3.2.6), from the store's record of expunges, or, where it no longer reaches that far, every UID
   * of the set below UIDNEXT that does not exist (which the RFC allows).
   */
  static void vanishedEarlier(ImapSession s, SequenceSet set, long since) throws CommandFailed {
    SelectedMailbox sel = s.selected;
    org.epost.imap.api.MailboxChanges c = s.call(() -> s.user.changesSince(sel.name, since));
    long max = Math.max(1, sel.uidNext - 1);
    String gone;
    if (c.expungesComplete()) {
      List<Long> uids = new ArrayList<>();
      for (long u : c.expunged()) {
        if (set.contains(u, max) && (sel.msnOf(u) < 0 || sel.isExpungedPending(u))) {
          uids.add(u);
        }
      }
      gone = MessageCommands.uidSet(uids);
    } else {
      gone = missing(sel, set, max);
    }
    if (!gone.isEmpty()) {
      s.out.untagged("VANISHED (EARLIER) " + gone);
    }
  }

  /**
   * The UIDs of a set (up to max) that the session's map does not hold, as a uid-set: the gaps
   * between the UIDs it holds, so the cost follows the messages, not the UID range.
   */
  private static String missing(SelectedMailbox sel, SequenceSet set, long max) {
    StringBuilder sb = new StringBuilder();
    long prev = 0;
    List<MessageRecord> all = sel.all();
    for (int i = 0; i <= all.size(); i++) {
      long cur = i < all.size() ? all.get(i).uid() : max + 1;
      if (i < all.size() && sel.isExpungedPending(cur)) {
        continue;
      }
      if (cur > prev + 1) {
        for (long[] range : set.ranges()) {
          long lo = Math.min(range[0] == SequenceSet.STAR ? max : range[0], max);
          long hi = Math.min(range[1] == SequenceSet.STAR ? max : range[1], max);
          long from = Math.max(prev + 1, Math.min(lo, hi));
          long to = Math.min(cur - 1, Math.max(lo, hi));
          if (from <= to) {
            sb.append(sb.length() > 0 ? "," : "").append(from);
            if (to > from) {
              sb.append(':').append(to);
            }
          }
        }
      }
      prev = cur;
    }
    return sb.toString();
  }

  /**
   * One body section of one message, ready to write: generated bytes, or an open stream with the
   * byte range to copy. {@code length} is what the literal announces.
   */
  private record Body(byte[] generated, InputStream in, long skip, long length, boolean literal8)
      implements AutoCloseable {
    Body(byte[] generated, InputStream in, long skip, long length) {
      this(generated, in, skip, length, false);
    }

    @Override
    public void close() {
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // nothing was lost: the stream was only read
        }
      }
    }
  }

  /** Resolves every body section of the request and opens the store for those with bytes. */
  private static List<Body> open(
      ImapSession s, FetchRequest req, MessageRecord m, MimePart structure) throws CommandFailed {
    List<Body> out = new ArrayList<>();
    try {
      for (FetchRequest.Item item : req.items()) {
        if (item.isBodySection()) {
          out.add(body(s, item, m, structure));
        }
      }
      return out;
    } catch (CommandFailed | RuntimeException e) {
      for (Body b : out) {
        b.close();
      }
      throw e;
    }
  }

  private static void writeItem(
      ImapSession s,
      ResponseBuilder b,
      FetchRequest.Item item,
      MessageRecord m,
      MimePart structure,
      Body body) {
    switch (item.name()) {
      case "FLAGS" -> {
        b.raw("FLAGS ");
        Flags.write(b, m.flags(), s.selected.isRecent(m.uid()));
      }
      case "UID" -> b.raw("UID ").number(m.uid());
      case "INTERNALDATE" -> b.raw("INTERNALDATE \"").raw(MessageCommands.formatDate(m)).raw('"');
      case "RFC822.SIZE" -> b.raw("RFC822.SIZE ").number(m.size());
      case "MODSEQ" -> b.raw("MODSEQ (").number(m.modSeq()).raw(')');
      case "ENVELOPE" -> {
        b.raw("ENVELOPE ");
        StructureWriter.envelope(b, structure);
      }
      case "BODYSTRUCTURE" -> {
        b.raw("BODYSTRUCTURE ");
        StructureWriter.body(b, structure, true);
      }
      case "BINARY.SIZE" -> b.raw(item.responseName()).sp().number(body.length());
      default -> {
        if (!item.isBodySection()) {
          b.raw("BODY ");
          StructureWriter.body(b, structure, false);
          return;
        }
        b.raw(item.responseName()).sp();
        section(s, b, m, body);
      }
    }
  }

  /**
   * Works out a body section's bytes: generated header text, or a byte range of the message, for
   * which the message is opened now (before anything about it is announced).
   */
  private static Body body(ImapSession s, FetchRequest.Item item, MessageRecord m, MimePart root)
      throws CommandFailed {
    if (item.isBinary()) {
      return binary(s, item, m, root);
    }
    FetchRequest.Section sec = item.section();
    byte[] generated = null;
    long start = 0;
    long end = m.size();
    if (root != null && !(sec.path().length == 0 && sec.spec().isEmpty())) {
      MimePart p = sec.path().length == 0 ? root : root.part(sec.path());
      if (p == null) {
        generated = new byte[0];
      } else {
        MimePart msg = sec.path().length == 0 ? root : p.message();
        switch (sec.spec()) {
          case "" -> {
            start = p.bodyStart();
            end = p.end();
          }
          case "MIME" -> {
            start = p.headerStart();
            end = p.bodyStart();
          }
          case "HEADER" -> {
            if (msg == null) {
              generated = new byte[0];
            } else {
              start = msg.headerStart();
              end = msg.bodyStart();
            }
          }
          case "TEXT" -> {
            if (msg == null) {
              generated = new byte[0];
            } else {
              start = msg.bodyStart();
              end = msg.end();
            }
          }
          default ->
              generated =
                  msg == null
                      ? new byte[0]
                      : StructureWriter.filterHeader(msg, sec.fields(), sec.spec().endsWith(".NOT"))
                          .getBytes(StandardCharsets.ISO_8859_1);
        }
      }
    }
    long total = generated != null ? generated.length : Math.max(0, end - start);
    long from = 0;
    long length = total;
    if (item.partialStart() >= 0) {
      from = Math.min(item.partialStart(), total);
      length = Math.min(item.partialLength(), total - from);
    }
    if (generated != null) {
      return new Body(generated, null, from, length);
    }
    if (length == 0) {
      return new Body(new byte[0], null, 0, 0);
    }
    long offset = start + from;
    long n = length;
    return new Body(null, s.call(() -> s.user.read(s.selected.name, m.uid(), offset, n)), 0, n);
  }

  /** Parts whose encoded size is at most this are decoded once, in memory, for BINARY. */
  static final int BINARY_IN_MEMORY = 1 << 20;

  /**
   * RFC 3516 BINARY and BINARY.SIZE: a part's content with its Content-Transfer-Encoding undone.
   * Only the part's byte range is read; a part larger than {@link #BINARY_IN_MEMORY} is read twice
   * (once to count its decoded size, which the literal announces, once to send it) so memory stays
   * bounded. BINARY.SIZE returns a body with no bytes and the size as its length.
   */
  private static Body binary(ImapSession s, FetchRequest.Item item, MessageRecord m, MimePart root)
      throws CommandFailed {
    int[] path = item.section().path();
    long start = 0;
    long end = m.size();
    String cte = "binary";
    if (path.length > 0) {
      MimePart p = root.part(path);
      if (p == null) {
        return new Body(new byte[0], null, 0, 0);
      }
      start = p.bodyStart();
      end = p.end();
      if (!p.isMultipart() && p.message() == null) {
        String h = p.header("Content-Transfer-Encoding");
        cte = h == null ? "7bit" : h.trim().toLowerCase(java.util.Locale.ROOT);
      }
    }
    boolean decode = cte.equals("base64") || cte.equals("quoted-printable");
    if (!decode && !Set.of("7bit", "8bit", "binary").contains(cte)) {
      throw CommandFailed.no("UNKNOWN-CTE", "Cannot decode the transfer encoding " + cte);
    }
    // 7bit and 8bit data cannot hold NUL (RFC 2045 2.7, 2.8); anything else goes as literal8
    boolean literal8 = !cte.equals("7bit") && !cte.equals("8bit");
    long partStart = start;
    long encoded = end - start;
    byte[] decoded = null;
    long size;
    if (!decode) {
      size = encoded;
    } else if (encoded <= BINARY_IN_MEMORY) {
      decoded = decodeAll(s, m, partStart, encoded, cte);
      size = decoded.length;
    } else {
      size = decodedSize(s, m, partStart, encoded, cte);
    }
    if (item.name().equals("BINARY.SIZE")) {
      return new Body(null, null, 0, size);
    }
    long from = 0;
    long length = size;
    if (item.partialStart() >= 0) {
      from = Math.min(item.partialStart(), size);
      length = Math.min(item.partialLength(), size - from);
    }
    if (decoded != null) {
      return new Body(decoded, null, from, length, literal8);
    }
    if (length == 0) {
      return new Body(new byte[0], null, 0, 0, literal8);
    }
    if (!decode) {
      long offset = partStart + from;
      long n = length;
      return new Body(
          null, s.call(() -> s.user.read(s.selected.name, m.uid(), offset, n)), 0, n, literal8);
    }
    InputStream raw = s.call(() -> s.user.read(s.selected.name, m.uid(), partStart, encoded));
    return new Body(null, decoder(raw, cte), from, length, literal8);
  }

  private static InputStream decoder(InputStream raw, String cte) {
    return cte.equals("base64")
        ? new org.apache.james.mime4j.codec.Base64InputStream(raw)
        : new org.apache.james.mime4j.codec.QuotedPrintableInputStream(raw);
  }

  private static byte[] decodeAll(ImapSession s, MessageRecord m, long start, long n, String cte)
      throws CommandFailed {
    try (InputStream in =
        decoder(s.call(() -> s.user.read(s.selected.name, m.uid(), start, n)), cte)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw CommandFailed.no("SERVERBUG", "Cannot decode message " + m.uid() + ": " + e);
    }
  }

  private static long decodedSize(ImapSession s, MessageRecord m, long start, long n, String cte)
      throws CommandFailed {
    try (InputStream in =
        decoder(s.call(() -> s.user.read(s.selected.name, m.uid(), start, n)), cte)) {
      long total = 0;
      byte[] buf = new byte[16 * 1024];
      for (int r; (r = in.read(buf)) > 0; ) {
        total += r;
      }
      return total;
    } catch (IOException e) {
      throw CommandFailed.no("SERVERBUG", "Cannot decode message " + m.uid() + ": " + e);
    }
  }

  /** Writes a body section as a literal of exactly the announced length. */
  private static void section(ImapSession s, ResponseBuilder b, MessageRecord m, Body body) {
    if (body.literal8()) {
      b.raw('~');
    }
    b.raw('{').number(body.length()).raw('}').crlf();
    if (body.generated() != null) {
      b.bytes(body.generated(), (int) body.skip(), (int) body.length());
      return;
    }
    s.out.write(b);
    b.reset();
    try {
      s.out.stream(body.in(), body.skip(), body.length());
    } catch (IOException e) {
      // the literal is half written: the only honest thing left is to drop the connection
      s.out.close();
      throw new UncheckedIOException("message " + m.uid() + " could not be read completely", e);
    }
  }

  /** One message's structure (for SEARCH); see {@link #structures}. */
  static MimePart structure(ImapSession s, MessageRecord m) throws CommandFailed {
    MimePart p = structures(s, List.of(m.uid())).get(m.uid());
    if (p == null) {
      throw CommandFailed.no("NONEXISTENT", "Message " + m.uid() + " was expunged");
    }
    return p;
  }

  /**
   * The structures of several messages: from the shared cache, the rest from the backend in one
   * call (no message bytes are read). A message missing from the answer was expunged.
   */
  static Map<Long, MimePart> structures(ImapSession s, List<Long> uids) throws CommandFailed {
    Map<Long, MimePart> out = new java.util.HashMap<>();
    List<Long> missing = new ArrayList<>();
    for (long u : uids) {
      MimePart cached = s.cache.get(key(s, u));
      if (cached != null) {
        out.put(u, cached);
      } else {
        missing.add(u);
      }
    }
    if (!missing.isEmpty()) {
      Map<Long, MimePart> got = s.call(() -> s.user.structures(s.selected.name, missing));
      for (Map.Entry<Long, MimePart> e : got.entrySet()) {
        s.cache.put(key(s, e.getKey()), e.getValue());
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private static String key(ImapSession s, long uid) {
    return StructureCache.key(s.userName, s.selected.name, s.selected.uidValidity, uid);
  }
}
