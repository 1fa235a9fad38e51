package org.epost.mail.message;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.epost.imap.mime.MimePart;
import org.epost.imap.mime.MimeStructureCodec;
import org.epost.imap.mime.MimeStructureParser;
import org.epost.mail.api.MailException;
import org.epost.mail.api.StoredMail;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRole;

/**
 * Stores an RFC 5322 message on the ring in the layout of {@code docs/architecture/epost.md}: the
 * input is read once, spooled to an {@link EncryptedSpool} while the lenient MIME parser records
 * its structure (memory stays bounded whatever the size), cut ({@link MessageCut}), and handed to
 * the store as {@code STRUCTURE}, {@code HEADER} and segment parts read back from the spool; a
 * message that fits one block with its layout is its {@code STRUCTURE} part alone, the bytes after
 * the layout ({@link MessageLayout#inline}, ADR 0147). The spool is deleted when the store
 * completes or fails. Broken MIME stores as it is, byte for byte.
 */
public final class MessageStorer {
  /** What storing produced: the reference as handed on, and the {@code STRUCTURE} part's bytes. */
  public record Result(StoredMail mail, MessageLayout layout) {}

  private final RingStore ring;
  private final Path spoolDirectory;
  private final long maxBytes;
  private final Executor executor;
  private final SecureRandom random;

  /**
   * @param ring the store
   * @param spoolDirectory where spool files go (owner-only)
   * @param maxBytes largest message accepted
   * @param executor runs the spooling phase (reads the input; may block)
   */
  public MessageStorer(
      RingStore ring, Path spoolDirectory, long maxBytes, Executor executor, SecureRandom random) {
    this.ring = Objects.requireNonNull(ring);
    this.spoolDirectory = Objects.requireNonNull(spoolDirectory);
    this.maxBytes = maxBytes;
    this.executor = Objects.requireNonNull(executor);
    this.random = Objects.requireNonNull(random);
  }

  /** Reads {@code rfc5322} once (on the executor) and stores it; see the class comment. */
  public CompletionStage<Result> store(InputStream rfc5322) {
    CompletableFuture<Spooled> spooled =
        CompletableFuture.supplyAsync(() -> spool(rfc5322), executor);
    return spooled.thenCompose(
        s -> {
          CompletionStage<Result> stored;
          try {
            stored =
                ring.store(s.inputs())
                    .thenApply(
                        m ->
                            new Result(
                                new StoredMail(
                                    m.ref(),
                                    s.layout.size(),
                                    new LayoutSummary(
                                            s.layout.size(),
                                            s.layout.headerLength(),
                                            s.layout.segments().size())
                                        .encode(),
                                    m.expiryWallMillis()),
                                s.layout));
          } catch (RuntimeException e) {
            stored = CompletableFuture.failedFuture(e);
          }
          return stored
              .whenComplete((r, t) -> s.spool.close())
              .exceptionally(
                  t -> {
                    throw MailFailures.toMail("storing the message", t);
                  });
        });
  }

  private record Spooled(EncryptedSpool spool, MessageLayout layout, MessageCut cut) {
    List<PartInput> inputs() {
      List<PartInput> parts = new ArrayList<>();
      if (layout.isInline()) {
        byte[] head = layout.encode();
        byte[] part = new byte[(int) layout.structurePartLength()];
        System.arraycopy(head, 0, part, 0, head.length);
        try (InputStream in = spool.reader(0, layout.size())) {
          int n = in.readNBytes(part, head.length, (int) layout.size());
          if (n != layout.size()) {
            throw new IOException("the spool returned " + n + " of " + layout.size() + " bytes");
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        parts.add(PartInput.of(PartRole.STRUCTURE, "", part));
        return parts;
      }
      parts.add(PartInput.of(PartRole.STRUCTURE, "", layout.encode()));
      for (int i = 1; i < cut.parts().size(); i++) {
        MessageCut.PartSpec spec = cut.parts().get(i);
        Segment seg = null;
        for (Segment s : cut.segments()) {
          if (s.partIndex() == i) {
            seg = s;
          }
        }
        try {
          InputStream data =
              seg == null
                  ? InputStream.nullInputStream()
                  : spool.reader(seg.offset(), seg.length());
          parts.add(
              new PartInput(spec.role(), spec.mimePath(), data, seg == null ? 0 : seg.length()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return parts;
    }
  }

  private Spooled spool(InputStream in) {
    EncryptedSpool spool = null;
    try {
      spool = new EncryptedSpool(spoolDirectory, random);
      MimePart root;
      long size;
      try (OutputStream out = spool.writer()) {
        Tee tee = new Tee(in, out, maxBytes);
        root = MimeStructureParser.parse(tee);
        size = tee.count;
      }
      byte[] structure = MimeStructureCodec.encode(root);
      if (size > 0) {
        MessageLayout inline = MessageLayout.inline(size, structure);
        if (inline.structurePartLength() <= MessageLayout.INLINE_MAX_BYTES) {
          return new Spooled(spool, inline, null);
        }
      }
      MessageCut cut = MessageCut.of(root, size);
      MessageLayout layout = new MessageLayout(size, cut.segments(), structure);
      return new Spooled(spool, layout, cut);
    } catch (MailException e) {
      if (spool != null) {
        spool.close();
      }
      throw e;
    } catch (IOException | RuntimeException e) {
      if (spool != null) {
        spool.close();
      }
      throw new MailException(
          MailException.Kind.UNAVAILABLE, "could not read or spool the message: " + e, e);
    }
  }

  /** Copies what the parser reads into the spool, refusing more than the bound. */
  private static final class Tee extends FilterInputStream {
    private final OutputStream out;
    private final long max;
    long count;

    Tee(InputStream in, OutputStream out, long max) {
      super(in);
      this.out = out;
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        if (count > max) {
          throw new MailException(
              MailException.Kind.LIMIT, "the message is larger than " + max + " bytes");
        }
        out.write(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      byte[] buf = new byte[8192];
      long done = 0;
      while (done < n) {
        int r = read(buf, 0, (int) Math.min(buf.length, n - done));
        if (r < 0) {
          break;
        }
        done += r;
      }
      return done;
    }

    @Override
    public boolean markSupported() {
      return false;
    }
  }
}
