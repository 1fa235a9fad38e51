package org.epost.mail.message;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.epost.post.api.PartInfo;

/**
 * Reads a byte range of one copy of a message, the copy's added header in front of the stored
 * bytes, by mapping the range onto the message's segments and reading each piece with a ranged
 * {@link RingStore#read} (at most {@link #CHUNK} bytes at a time), so only the blocks overlapping
 * the range are fetched. The stream is blocking: each refill waits for the ring, bounded by the
 * timeout, and an interrupted wait throws {@link InterruptedIOException}.
 */
public final class RangedReader {
  /** Bytes fetched per ring read. */
  static final int CHUNK = 256 * 1024;

  private final RingStore ring;
  private final List<PartInfo> parts;
  private final MessageLayout layout;
  private final byte[] addedHeader;
  private final long timeoutMillis;

  /**
   * @param parts the message's parts as the store lists them ({@code OpenedMessage.parts()})
   * @param layout the message's {@code STRUCTURE} part
   * @param addedHeader this copy's added header lines (may be empty)
   */
  public RangedReader(
      RingStore ring,
      List<PartInfo> parts,
      MessageLayout layout,
      byte[] addedHeader,
      long timeoutMillis) {
    this.ring = Objects.requireNonNull(ring);
    this.parts = List.copyOf(parts);
    this.layout = Objects.requireNonNull(layout);
    this.addedHeader = addedHeader.clone();
    this.timeoutMillis = timeoutMillis;
    for (Segment s : layout.segments()) {
      long expected =
          s.partIndex() == MessageLayout.STRUCTURE_PART ? layout.structurePartLength() : s.length();
      if (s.partIndex() >= this.parts.size()
          || this.parts.get(s.partIndex()).length() != expected) {
        throw new IllegalArgumentException(
            "the message's layout does not match its parts (segment at " + s.offset() + ")");
      }
    }
  }

  /** This copy's size: the added header and the stored message. */
  public long size() {
    return addedHeader.length + layout.size();
  }

  /**
   * A stream of exactly {@code min(length, size() - offset)} bytes from {@code offset} (none if
   * {@code offset} is at or past the end).
   */
  public InputStream open(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("negative range");
    }
    long start = Math.min(offset, size());
    long end = Math.min(size(), start + Math.min(length, Long.MAX_VALUE - start));
    return new Stream(start, end);
  }

  private final class Stream extends InputStream {
    private long pos;
    private final long end;
    private byte[] buf = new byte[0];
    private int bufAt;

    Stream(long start, long end) {
      this.pos = start;
      this.end = end;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (bufAt >= buf.length) {
        if (pos >= end) {
          return -1;
        }
        fill();
      }
      int n = Math.min(len, buf.length - bufAt);
      System.arraycopy(buf, bufAt, b, off, n);
      bufAt += n;
      return n;
    }

    @Override
    public int available() {
      return buf.length - bufAt;
    }

    private void fill() throws IOException {
      if (pos < addedHeader.length) {
        int n = (int) Math.min(addedHeader.length - pos, end - pos);
        buf = java.util.Arrays.copyOfRange(addedHeader, (int) pos, (int) pos + n);
        bufAt = 0;
        pos += n;
        return;
      }
      long at = pos - addedHeader.length;
      Segment seg = segmentAt(at);
      long within = at - seg.offset();
      int n = (int) Math.min(Math.min(CHUNK, seg.length() - within), end - pos);
      long from =
          seg.partIndex() == MessageLayout.STRUCTURE_PART
              ? layout.inlineOffset(seg) + within
              : within;
      byte[] got = await(ring.read(parts.get(seg.partIndex()).ref(), from, n));
      if (got.length != n) {
        throw new IOException(
            "the ring returned " + got.length + " bytes of a part where " + n + " were due");
      }
      buf = got;
      bufAt = 0;
      pos += n;
    }

    private Segment segmentAt(long at) {
      List<Segment> segs = layout.segments();
      int lo = 0;
      int hi = segs.size() - 1;
      while (lo < hi) {
        int mid = (lo + hi + 1) >>> 1;
        if (segs.get(mid).offset() <= at) {
          lo = mid;
        } else {
          hi = mid - 1;
        }
      }
      return segs.get(lo);
    }

    private byte[] await(java.util.concurrent.CompletionStage<byte[]> stage) throws IOException {
      try {
        return stage.toCompletableFuture().get(timeoutMillis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading a message from the ring");
      } catch (ExecutionException e) {
        throw new IOException(MailFailures.toMail("reading the message", e).getMessage(), e);
      } catch (TimeoutException e) {
        throw new IOException("the ring did not answer within " + timeoutMillis + " ms", e);
      }
    }
  }
}
