package org.epost.smtp.server;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SubmissionBackend;

/**
 * A listening SMTP endpoint (submission or gateway, per its config).
 *
 * <p>Threads: one acceptor thread {@code smtp-accept-PORT}; one session thread per connection
 * ({@code smtp-session-N}, at most {@link SmtpServerConfig#maxConnections()}); backend calls on
 * {@code smtp-backend-N} threads (at most twice the connection limit) so that they can be timed
 * out. A connection over the limit per client address gets 421 4.7.0 from the acceptor and is
 * closed. When every slot is taken, the session that has waited longest (at least 1 s) for a
 * command line is closed to make room; if none qualifies, the new connection gets 421 4.3.2.
 */
public final class SmtpListener implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SmtpListener.class.getName());

  /** A session waiting this long for a command line may be closed to make room when full. */
  private static final long EVICTABLE_AFTER_NANOS = 1_000_000_000L;

  private final ServerSocket serverSocket;
  private final ServerContext context;
  private final ExecutorService sessions;
  private final ExecutorService backendThreads;
  private final Semaphore connectionSlots;
  private final Map<Socket, SmtpSession> open = new ConcurrentHashMap<>();
  // Open connections per client address; an entry exists only while its address has a connection,
  // so the map never holds more than maxConnections keys.
  private final Map<InetAddress, Integer> perClient = new HashMap<>();
  private final Thread acceptor;
  private volatile boolean closed;

  private SmtpListener(
      SmtpServerConfig config, SubmissionBackend backend, Optional<RelayQueue> relay, Clock clock)
      throws IOException {
    Path spool = config.spoolDirectory().orElse(Path.of(System.getProperty("java.io.tmpdir")));
    Files.createDirectories(spool);
    this.sessions = Executors.newCachedThreadPool(named("smtp-session-"));
    // At most two backend calls per connection slot: one running, one that timed out and has
    // not yet reacted to its interrupt. Beyond that, clients get 451 4.3.0 (BackendCaller).
    // The queue never holds more than the caller's permits allow, so it is bounded too.
    int backendSlots = 2 * config.maxConnections();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            backendSlots,
            backendSlots,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            named("smtp-backend-"));
    pool.allowCoreThreadTimeOut(true);
    this.backendThreads = pool;
    this.context =
        new ServerContext(
            config,
            backend,
            relay,
            new BackendCaller(backendThreads, backendSlots, config.backendTimeout()),
            new ClientRateLimiter(
                clock, config.messagesPerMinutePerClient(), config.trackedClients()),
            new AuthThrottle(
                clock,
                config.authFailureDelay(),
                config.maxAuthFailureDelay(),
                config.authLockoutFailures(),
                config.authLockout(),
                config.trackedClients()),
            clock,
            spool);
    this.connectionSlots = new Semaphore(config.maxConnections());
    this.serverSocket = new ServerSocket();
    serverSocket.setReuseAddress(true);
    serverSocket.bind(new InetSocketAddress(config.bindAddress(), config.port()), 128);
    this.acceptor = new Thread(this::acceptLoop, "smtp-accept-" + serverSocket.getLocalPort());
  }

  /**
   * Binds and starts accepting.
   *
   * @param relay where mail for other domains goes (submission mode); empty means such recipients
   *     get 550 5.7.1
   */
  public static SmtpListener start(
      SmtpServerConfig config, SubmissionBackend backend, Optional<RelayQueue> relay, Clock clock)
      throws IOException {
    SmtpListener listener = new SmtpListener(config, backend, relay, clock);
    listener.acceptor.start();
    return listener;
  }

  /** The bound address (useful with port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverSocket.getLocalSocketAddress();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        if (!closed) {
          LOG.log(Level.WARNING, "accept failed", e);
        }
        continue;
      }
      InetAddress client = socket.getInetAddress();
      if (!takeClientSlot(client)) {
        refuse(socket, "421 4.7.0 Too many connections from your address, try again later");
        continue;
      }
      if (!connectionSlots.tryAcquire() && !(evictLongestWaiting() && awaitSlot())) {
        releaseClientSlot(client);
        refuse(socket, "421 4.3.2 Too many connections, try again later");
        continue;
      }
      try {
        socket.setTcpNoDelay(true);
        SmtpSession session = new SmtpSession(context, socket);
        open.put(socket, session);
        sessions.execute(
            () -> {
              try {
                session.run();
              } finally {
                open.remove(socket);
                connectionSlots.release();
                releaseClientSlot(client);
              }
            });
      } catch (IOException | RuntimeException e) {
        connectionSlots.release();
        releaseClientSlot(client);
        closeQuietly(socket);
      }
    }
  }

  /**
   * With every slot taken, closes the session that has waited longest for a command line, if it has
   * waited at least {@link #EVICTABLE_AFTER_NANOS}: a slow or idle client gives way to a new one,
   * while a session receiving a message or waiting for the backend is never touched
   * (docs/adr/0046).
   */
  private boolean evictLongestWaiting() {
    long now = System.nanoTime();
    SmtpSession victim = null;
    long oldest = 0;
    for (SmtpSession s : open.values()) {
      long since = s.waitingForCommandSince();
      if (since != 0
          && now - since >= EVICTABLE_AFTER_NANOS
          && (victim == null || since - oldest < 0)) {
        victim = s;
        oldest = since;
      }
    }
    if (victim == null) {
      return false;
    }
    victim.evict();
    return true;
  }

  private boolean awaitSlot() {
    try {
      return connectionSlots.tryAcquire(500, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private synchronized boolean takeClientSlot(InetAddress client) {
    int n = perClient.getOrDefault(client, 0);
    if (n >= context.config().maxConnectionsPerClient()) {
      return false;
    }
    perClient.put(client, n + 1);
    return true;
  }

  private synchronized void releaseClientSlot(InetAddress client) {
    perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
  }

  private static void refuse(Socket socket, String reply) {
    try (socket) {
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException ignored) {
      // the client is gone already
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  /**
   * Stops accepting, closes every connection and waits briefly for session threads and for backend
   * calls still running, so that a closed server is not still writing to its store.
   */
  @Override
  public void close() {
    closed = true;
    try {
      serverSocket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    awaitAcceptances();
    open.keySet().forEach(SmtpListener::closeQuietly);
    sessions.shutdownNow();
    backendThreads.shutdownNow();
    try {
      acceptor.join(2000);
      sessions.awaitTermination(2, TimeUnit.SECONDS);
      if (!backendThreads.awaitTermination(2, TimeUnit.SECONDS)) {
        LOG.log(
            Level.WARNING, "backend calls still running after close; they ignored their interrupt");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits (at most the backend timeout and a second) until no session has a message with the
   * backend: a message the backend is storing gets its reply before the connection is cut, so the
   * client never believes a stored message failed.
   */
  private void awaitAcceptances() {
    long end = System.nanoTime() + context.config().backendTimeout().toNanos() + 1_000_000_000L;
    while (System.nanoTime() - end < 0) {
      boolean busy = false;
      for (SmtpSession s : open.values()) {
        busy |= s.accepting();
      }
      if (!busy) {
        return;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static ThreadFactory named(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + counter.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
