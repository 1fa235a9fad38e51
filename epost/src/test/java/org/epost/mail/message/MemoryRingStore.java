package org.epost.mail.message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.epost.crypto.api.BlockId;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.primitives.Sha256;
import org.epost.post.api.MessageRef;
import org.epost.post.api.OpenedMessage;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRef;
import org.epost.post.api.StoredMessage;

/** A unit-test stand-in for the ring: parts in a map, with counters of what was read. */
public final class MemoryRingStore implements RingStore {
  private final Map<PartRef, byte[]> parts = new ConcurrentHashMap<>();
  private final Map<MessageRef, OpenedMessage> messages = new ConcurrentHashMap<>();
  final AtomicLong bytesRead = new AtomicLong();
  final AtomicLong reads = new AtomicLong();

  @Override
  public CompletionStage<StoredMessage> store(List<PartInput> inputs) {
    List<PartInfo> infos = new ArrayList<>();
    long total = 0;
    for (PartInput in : inputs) {
      byte[] data;
      try (var s = in.data()) {
        data = s.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (in.declaredLength() >= 0 && in.declaredLength() != data.length) {
        return CompletableFuture.failedFuture(new IllegalStateException("declared length"));
      }
      PartRef ref = new PartRef(key(data, ContentKey.Kind.DATA, data.length));
      parts.put(ref, data);
      infos.add(new PartInfo(infos.size(), in.role(), in.mimePath(), ref));
      total += data.length;
    }
    byte[] all = new byte[0];
    for (PartInfo p : infos) {
      all = concat(all, p.ref().encode());
    }
    MessageRef ref = new MessageRef(key(all, ContentKey.Kind.DATA, all.length));
    messages.put(ref, new OpenedMessage(ref, infos));
    return CompletableFuture.completedFuture(
        new StoredMessage(ref, 1234, infos.size(), total, total));
  }

  @Override
  public CompletionStage<OpenedMessage> open(MessageRef ref) {
    OpenedMessage m = messages.get(ref);
    return m == null
        ? CompletableFuture.failedFuture(new IllegalStateException("no such message"))
        : CompletableFuture.completedFuture(m);
  }

  @Override
  public CompletionStage<byte[]> read(PartRef part, long offset, int length) {
    byte[] data = parts.get(part);
    int from = (int) Math.min(offset, data.length);
    int to = (int) Math.min(data.length, offset + length);
    reads.incrementAndGet();
    bytesRead.addAndGet(to - from);
    return CompletableFuture.completedFuture(Arrays.copyOfRange(data, from, to));
  }

  private static ContentKey key(byte[] data, ContentKey.Kind kind, long length) {
    byte[] h = Sha256.hash(data);
    return new ContentKey(BlockId.ofDigest(h), h, kind, length);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }
}
