package org.epost.overlay.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.epost.overlay.api.Id;
import org.epost.overlay.past.api.ObjectKind;
import org.epost.overlay.past.api.PastException;
import org.epost.overlay.past.api.PastObject;
import org.epost.overlay.scribe.api.Publication;
import org.epost.overlay.scribe.api.TopicId;

/**
 * What the control port's storage and multicast commands do on a running node (ADR 0094). Runs on
 * control threads; every PAST or Scribe call crosses onto the loop through the node's bridge.
 *
 * <p>Files: the node reads and writes the file named by the operator's absolute path itself (the
 * command and the node share a machine); a file larger than one PAST object is stored as chunks
 * under a {@link Manifest}, inserted and fetched with at most {@link #WINDOW} operations in flight,
 * so a file is never held in memory whole. A fetched file is written to a temporary file next to
 * the target, checked against the manifest's whole-file hash, and renamed into place.
 *
 * <p>Bounds: {@link #MAX_FILE_TRANSFERS} chunked puts and gets at once (more wait for a turn, up to
 * {@link #OP_TIMEOUT_SECONDS} s; a single-object put only holds its connection), {@link
 * #MAX_SUBSCRIPTIONS} subscriptions at once; each subscription buffers {@link #SUBSCRIPTION_QUEUE}
 * publications for a slow reader, then drops and says how many.
 */
final class Operations implements ControlServer.Commands {
  static final int WINDOW = 16;
  static final int MAX_FILE_TRANSFERS = 2;
  static final int MAX_SUBSCRIPTIONS = 8;
  static final int SUBSCRIPTION_QUEUE = 4096;
  static final int ATTEMPTS = 3;
  static final long OP_TIMEOUT_SECONDS = 90;

  private final NodeDaemon node;
  private final long leaseMillis;
  private final Semaphore fileTransfers = new Semaphore(MAX_FILE_TRANSFERS);
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile boolean closed;

  Operations(NodeDaemon node) {
    this.node = node;
    this.leaseMillis = nodeLease(node);
  }

  /** A year, or the longest lease the storers grant if that is shorter. */
  private static long nodeLease(NodeDaemon node) {
    return Math.min(365L * 24 * 3_600_000, node.config().past().maxLeaseMillis());
  }

  void close() {
    closed = true;
  }

  @Override
  public String route(String keyHex, boolean timed) throws Exception {
    Id key;
    try {
      key = Id.fromHex(keyHex);
    } catch (IllegalArgumentException e) {
      return "error bad key: " + e.getMessage();
    }
    return node.routeAnswer(key, timed);
  }

  @Override
  public List<String> status() {
    return StatusReport.lines(node);
  }

  // ---- single objects (PUTB/GETB): one immutable object per call ----

  @Override
  public String putBytes(String base64) throws Exception {
    byte[] data;
    try {
      data = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return "error bad base64: " + e.getMessage();
    }
    if (data.length > PastObject.MAX_BYTES) {
      return "error an object is at most " + PastObject.MAX_BYTES + " bytes; use PUT <file>";
    }
    PastObject o = PastObject.immutable(data, expiry());
    int replicas = insert(o);
    return "stored " + o.id().toHex() + " replicas=" + replicas;
  }

  @Override
  public String getBytes(String idHex) throws Exception {
    Id id = parseId(idHex);
    if (id == null) {
      return "error bad id (40 hex digits)";
    }
    byte[] data = fetch(id);
    return "data " + Base64.getEncoder().encodeToString(data);
  }

  // ---- files ----

  @Override
  public String putFile(String pathText) throws Exception {
    Path file = Path.of(pathText);
    if (!file.isAbsolute()) {
      return "error the path must be absolute: " + pathText;
    }
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      return "error the node cannot read " + file + " (missing, not a file, or not readable)";
    }
    boolean large = Files.size(file) > PastObject.MAX_BYTES;
    if (large && !fileTransfers.tryAcquire(OP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      return "error busy: " + MAX_FILE_TRANSFERS + " large file transfers running; try again later";
    }
    try {
      return putFile(file);
    } finally {
      if (large) {
        fileTransfers.release();
      }
    }
  }

  private String putFile(Path file) throws Exception {
    long size = Files.size(file);
    if (size <= PastObject.MAX_BYTES) {
      byte[] data = Files.readAllBytes(file);
      if (Manifest.decode(data) == null) {
        PastObject o = PastObject.immutable(data, expiry());
        insert(o);
        return "stored " + o.id().toHex() + " bytes=" + data.length + " chunks=1";
      }
      // A small file that reads as a manifest is wrapped, so that get returns it as it is.
    }
    MessageDigest whole = newSha256(); // own instance: contentId uses the thread's shared one
    List<Id> chunks = new ArrayList<>();
    Window window = new Window();
    long read = 0;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      while (read < size) {
        int n = (int) Math.min(Manifest.CHUNK, size - read);
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
          if (ch.read(buf, read + buf.position()) < 0) {
            return "error " + file + " shrank while it was read";
          }
        }
        byte[] data = buf.array();
        whole.update(data);
        PastObject o = PastObject.immutable(data, expiry());
        chunks.add(o.id());
        window.run(() -> insertAsync(o, ATTEMPTS));
        read += n;
      }
      window.await();
    }
    byte[] hash = whole.digest();
    // Manifests bottom up: level 0 lists chunks; each level lists the manifests below it.
    List<Id> ids = chunks;
    int level = 0;
    while (true) {
      long span = Manifest.span(level, Manifest.CHUNK);
      long groupSpan = span * Manifest.MAX_ENTRIES;
      List<Id> next = new ArrayList<>();
      for (int start = 0; start < ids.size(); start += Manifest.MAX_ENTRIES) {
        List<Id> group = ids.subList(start, Math.min(ids.size(), start + Manifest.MAX_ENTRIES));
        long covered = Math.min(groupSpan, size - (start / Manifest.MAX_ENTRIES) * groupSpan);
        Manifest m = new Manifest(level, Manifest.CHUNK, covered, hash, group);
        PastObject o = PastObject.immutable(m.encode(), expiry());
        next.add(o.id());
        window.run(() -> insertAsync(o, ATTEMPTS));
      }
      window.await();
      if (next.size() == 1) {
        return "stored " + next.get(0).toHex() + " bytes=" + size + " chunks=" + chunks.size();
      }
      ids = next;
      level++;
    }
  }

  @Override
  public String getFile(String idHex, String pathText) throws Exception {
    Id id = parseId(idHex);
    if (id == null) {
      return "error bad id (40 hex digits)";
    }
    Path out = Path.of(pathText);
    if (!out.isAbsolute()) {
      return "error the path must be absolute: " + pathText;
    }
    if (Files.exists(out)) {
      return "error " + out + " exists; remove it or choose another --out";
    }
    Path dir = out.getParent();
    if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
      return "error the node cannot write into " + dir;
    }
    Path tmp =
        dir.resolve("." + out.getFileName() + ".part-" + Long.toHexString(System.nanoTime()));
    boolean large = false;
    try {
      byte[] top = fetch(id);
      Manifest m = Manifest.decode(top);
      if (m != null) {
        if (!fileTransfers.tryAcquire(OP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          return "error busy: "
              + MAX_FILE_TRANSFERS
              + " large file transfers running; try again later";
        }
        large = true;
      }
      long length;
      try (FileChannel ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE,
              StandardOpenOption.READ)) {
        if (m == null) {
          ch.write(ByteBuffer.wrap(top), 0);
          length = top.length;
        } else {
          Window window = new Window();
          fetchInto(m, 0, ch, window, m.fileHash());
          window.await();
          length = m.length();
          if (ch.size() != length) {
            return "error the chunks give " + ch.size() + " bytes, the manifest says " + length;
          }
          if (!MessageDigest.isEqual(hashOf(ch, length), m.fileHash())) {
            return "error the file's hash does not match its manifest";
          }
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, out);
      }
      return "got " + id.toHex() + " bytes=" + length;
    } finally {
      Files.deleteIfExists(tmp);
      if (large) {
        fileTransfers.release();
      }
    }
  }

  /** Writes the bytes {@code m} covers at {@code offset}: chunks through the window. */
  private void fetchInto(Manifest m, long offset, FileChannel ch, Window window, byte[] hash)
      throws Exception {
    if (m.level() == 0) {
      for (int i = 0; i < m.entries().size(); i++) {
        Id chunk = m.entries().get(i);
        long at = offset + (long) i * m.chunkSize();
        long expect = m.entryLength(i);
        window.run(
            () ->
                lookupAsync(chunk, ATTEMPTS)
                    .thenApply(
                        data -> {
                          if (data.length != expect) {
                            throw new IllegalStateException(
                                "chunk " + chunk.toHex() + " has " + data.length + " bytes");
                          }
                          try {
                            ByteBuffer b = ByteBuffer.wrap(data);
                            while (b.hasRemaining()) {
                              ch.write(b, at + b.position());
                            }
                          } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                          }
                          return null;
                        }));
      }
      return;
    }
    long at = offset;
    for (int i = 0; i < m.entries().size(); i++) {
      Manifest sub = Manifest.decode(fetch(m.entries().get(i)));
      if (sub == null
          || sub.level() != m.level() - 1
          || sub.chunkSize() != m.chunkSize()
          || sub.length() != m.entryLength(i)
          || !MessageDigest.isEqual(sub.fileHash(), hash)) {
        throw new IllegalStateException(
            "manifest " + m.entries().get(i).toHex() + " is not part of this file");
      }
      fetchInto(sub, at, ch, window, hash);
      at += sub.length();
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  private static byte[] hashOf(FileChannel ch, long length) throws IOException {
    MessageDigest md = newSha256();
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long pos = 0;
    while (pos < length) {
      buf.clear();
      int n = ch.read(buf, pos);
      if (n < 0) {
        break;
      }
      md.update(buf.array(), 0, n);
      pos += n;
    }
    return md.digest();
  }

  // ---- multicast ----

  @Override
  public String publish(String topic, String text) throws Exception {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    TopicId t = TopicId.named(topic);
    CompletableFuture<Object> done =
        node.call(
            () -> {
              Object r = node.scribe().publish(t, payload);
              if (r instanceof CompletionStage<?> s) {
                return s.thenApply(v -> (Object) v);
              }
              return CompletableFuture.completedFuture(r);
            });
    Object r = await(done);
    return "published " + topic + " " + r;
  }

  @Override
  public void subscribe(String topic, ControlServer.LineSink out) throws Exception {
    if (subscriptions.incrementAndGet() > MAX_SUBSCRIPTIONS) {
      subscriptions.decrementAndGet();
      out.line("error busy: " + MAX_SUBSCRIPTIONS + " subscriptions open; try again later");
      return;
    }
    TopicId t = TopicId.named(topic);
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(SUBSCRIPTION_QUEUE);
    AtomicLong lost = new AtomicLong();
    Subscriptions.Listener listener =
        new Subscriptions.Listener() {
          @Override
          public void attached(TopicId topic) {
            offer("attached");
          }

          @Override
          public void publication(Publication p) {
            offer("pub " + escape(new String(p.payload(), StandardCharsets.UTF_8)));
          }

          private void offer(String line) {
            if (!queue.offer(line)) {
              lost.incrementAndGet();
            }
          }
        };
    try {
      await(
          node.call(
              () -> {
                node.subscriptions().add(t, listener);
                return CompletableFuture.completedFuture(null);
              }));
      out.line("subscribed " + topic);
      while (!closed) {
        String line = queue.poll(5, TimeUnit.SECONDS);
        long l = lost.getAndSet(0);
        if (l > 0) {
          out.line("lost " + l);
        }
        out.line(line == null ? "alive" : line);
      }
    } finally {
      subscriptions.decrementAndGet();
      node.call(
          () -> {
            node.subscriptions().remove(t, listener);
            return CompletableFuture.completedFuture(null);
          });
    }
  }

  /** Backslash, newline and carriage return escaped, so one publication is one line. */
  static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  // ---- PAST through the bridge ----

  private long expiry() {
    return System.currentTimeMillis() + leaseMillis;
  }

  private int insert(PastObject o) throws Exception {
    return await(insertAsync(o, ATTEMPTS));
  }

  private byte[] fetch(Id id) throws Exception {
    return await(lookupAsync(id, ATTEMPTS));
  }

  /** Inserts {@code o}, trying again on failure, {@code attempts} times in all. */
  private CompletableFuture<Integer> insertAsync(PastObject o, int attempts) {
    return retry(() -> node.call(() -> node.past().insert(o)), attempts);
  }

  /** Fetches immutable {@code id} and checks its content against the id. */
  private CompletableFuture<byte[]> lookupAsync(Id id, int attempts) {
    return retry(
        () ->
            node.call(() -> node.past().lookup(id))
                .thenApply(
                    o -> {
                      if (o.kind() != ObjectKind.IMMUTABLE
                          || !PastObject.contentId(o.bytesUnsafe()).equals(id)) {
                        throw new PastException.InvalidObjectException(
                            "object " + id.toHex() + " is not immutable content with that hash");
                      }
                      return o.bytesUnsafe();
                    }),
        attempts);
  }

  private static <T> CompletableFuture<T> retry(
      Supplier<CompletableFuture<T>> op, int attemptsLeft) {
    return op.get()
        .handle(
            (v, e) -> {
              if (e == null) {
                return CompletableFuture.completedFuture(v);
              }
              Throwable cause = unwrap(e);
              if (attemptsLeft <= 1
                  || cause instanceof PastException.InvalidObjectException
                  || cause instanceof PastException.ObjectNotFoundException) {
                return CompletableFuture.<T>failedFuture(cause);
              }
              return retry(op, attemptsLeft - 1);
            })
        .thenCompose(f -> f);
  }

  private static Throwable unwrap(Throwable e) {
    while ((e instanceof java.util.concurrent.CompletionException
            || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    try {
      return f.get(OP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable c = unwrap(e);
      if (c instanceof Exception ex) {
        throw ex;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new TimeoutException("no answer within " + OP_TIMEOUT_SECONDS + " s");
    }
  }

  private static Id parseId(String hex) {
    try {
      return hex.length() == Id.BYTES * 2 ? Id.fromHex(hex) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /**
   * At most {@link #WINDOW} operations in flight; the first failure is kept and stops further
   * submissions.
   */
  private static final class Window {
    private final Semaphore permits = new Semaphore(WINDOW);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    void run(Supplier<? extends CompletableFuture<?>> op) throws Exception {
      check();
      if (!permits.tryAcquire(OP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new TimeoutException("no operation finished within " + OP_TIMEOUT_SECONDS + " s");
      }
      check();
      CompletableFuture<?> f;
      try {
        f = op.get();
      } catch (RuntimeException e) {
        permits.release();
        throw e;
      }
      f.whenComplete(
          (v, e) -> {
            if (e != null) {
              failure.compareAndSet(null, unwrap(e));
            }
            permits.release();
          });
    }

    void await() throws Exception {
      if (!permits.tryAcquire(WINDOW, OP_TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
        throw new TimeoutException(
            "operations still running after " + OP_TIMEOUT_SECONDS * 2 + " s");
      }
      permits.release(WINDOW);
      check();
    }

    private void check() throws Exception {
      Throwable t = failure.get();
      if (t instanceof Exception e) {
        throw e;
      }
      if (t != null) {
        throw new IllegalStateException(t);
      }
    }
  }
}
