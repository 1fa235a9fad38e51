package org.epost.imap.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.epost.imap.api.FlagUpdate;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;
import org.epost.imap.codec.ResponseBuilder;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.MimeStructureParser;
import org.epost.imap.mime.StructureWriter;

/**
 * FETCH and UID FETCH: writes one FETCH response per message, streaming body sections from the
 * backend in chunks so a large message never sits in memory.
 */
final class FetchCommand {
  private FetchCommand() {}

  static void run(ImapSession s, String tag, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    FetchRequest req = FetchRequest.parse(r);
    List<Long> uids = MessageCommands.uids(s, req.set(), uid);
    boolean wantsSeen =
        !s.selected.readOnly && req.items().stream().anyMatch(FetchRequest.Item::setsSeen);
    boolean hasFlags = req.items().stream().anyMatch(i -> i.name().equals("FLAGS"));
    boolean hasUid = req.items().stream().anyMatch(i -> i.name().equals("UID"));
    boolean needsStructure = req.items().stream().anyMatch(FetchRequest.Item::needsStructure);
    ResponseBuilder b = new ResponseBuilder();
    for (long u : uids) {
      int msn = s.selected.msnOf(u);
      MessageRecord m = s.selected.byMsn(msn);
      boolean addFlags = false;
      if (wantsSeen && !m.flags().contains(Flags.SEEN)) {
        Map<Long, Set<String>> res =
            s.await(
                s.user.storeFlags(s.selected.name, List.of(u), FlagUpdate.ADD, Set.of(Flags.SEEN)));
        Set<String> now = res.get(u);
        if (now != null) {
          s.selected.updateFlags(msn, now);
          m = s.selected.byMsn(msn);
          addFlags = !hasFlags;
        }
      }
      MimePart structure = needsStructure ? structure(s, m) : null;
      b.reset().raw("* ").number(msn).raw(" FETCH (");
      boolean first = true;
      if (uid && !hasUid) {
        b.raw("UID ").number(u);
        first = false;
      }
      for (FetchRequest.Item item : req.items()) {
        if (!first) {
          b.sp();
        }
        first = false;
        writeItem(s, b, item, m, structure);
      }
      if (addFlags) {
        b.raw(" FLAGS ").raw(s.selected.flagsOf(m.uid(), m.flags()));
      }
      b.raw(')').crlf();
      s.out.write(b);
    }
    if (uid) {
      s.ok(tag, "UID FETCH completed");
    } else {
      s.okNoExpunge(tag, "FETCH completed");
    }
  }

  private static void writeItem(
      ImapSession s, ResponseBuilder b, FetchRequest.Item item, MessageRecord m, MimePart structure)
      throws CommandFailed {
    switch (item.name()) {
      case "FLAGS" -> b.raw("FLAGS ").raw(s.selected.flagsOf(m.uid(), m.flags()));
      case "UID" -> b.raw("UID ").number(m.uid());
      case "INTERNALDATE" -> b.raw("INTERNALDATE \"").raw(MessageCommands.formatDate(m)).raw('"');
      case "RFC822.SIZE" -> b.raw("RFC822.SIZE ").number(m.size());
      case "ENVELOPE" -> {
        b.raw("ENVELOPE ");
        StructureWriter.envelope(b, structure);
      }
      case "BODYSTRUCTURE" -> {
        b.raw("BODYSTRUCTURE ");
        StructureWriter.body(b, structure, true);
      }
      default -> {
        if (!item.isBodySection()) {
          b.raw("BODY ");
          StructureWriter.body(b, structure, false);
          return;
        }
        b.raw(item.responseName()).sp();
        section(s, b, item, m, structure);
      }
    }
  }

  /**
   * Writes a body section as a literal: generated header text, or a byte range streamed from the
   * store.
   */
  private static void section(
      ImapSession s, ResponseBuilder b, FetchRequest.Item item, MessageRecord m, MimePart root)
      throws CommandFailed {
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
    b.raw('{').number(length).raw('}').crlf();
    if (generated != null) {
      b.bytes(generated, (int) from, (int) length);
      return;
    }
    if (length == 0) {
      return;
    }
    s.out.write(b);
    b.reset();
    try (InputStream in = s.await(s.user.openMessage(s.selected.name, m.uid()))) {
      s.out.stream(in, start + from, length);
    } catch (IOException e) {
      // the literal is half written: the only honest thing left is to drop the connection
      s.out.close();
      throw new UncheckedIOException("message " + m.uid() + " could not be read completely", e);
    }
  }

  static MimePart structure(ImapSession s, MessageRecord m) throws CommandFailed {
    String key = StructureCache.key(s.userName, s.selected.name, s.selected.uidValidity, m.uid());
    MimePart cached = s.cache.get(key);
    if (cached != null) {
      return cached;
    }
    try (InputStream in = s.await(s.user.openMessage(s.selected.name, m.uid()))) {
      MimePart parsed = MimeStructureParser.parse(in);
      s.cache.put(key, parsed);
      return parsed;
    } catch (IOException e) {
      throw CommandFailed.no("SERVERBUG", "Cannot read message " + m.uid() + ": " + e.getMessage());
    }
  }
}
