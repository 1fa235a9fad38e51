package org.epost.overlay.transport.tcp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load driver (test scope): opens {@code rate} TCP connections per second from {@code source} to
 * {@code target} and never sends a byte on them, as a flooding host would. Bounded: it holds at
 * most {@code maxHeld} sockets (closing the oldest beyond that), runs at most {@code maxMillis},
 * and only ever dials the address it is given (tests pass 127.0.0.0/8 addresses only).
 */
final class ConnectFlood implements AutoCloseable {
  private final java.util.List<InetAddress> sources;
  private final InetSocketAddress target;
  private final int rate;
  private final int maxHeld;
  private final long maxMillis;
  private final Thread thread;
  private final ArrayDeque<Socket> held = new ArrayDeque<>();
  private volatile boolean stop;
  final AtomicLong connected = new AtomicLong();
  final AtomicLong failed = new AtomicLong();

  ConnectFlood(
      InetAddress source, InetSocketAddress target, int rate, int maxHeld, long maxMillis) {
    this(java.util.List.of(source), target, rate, maxHeld, maxMillis);
  }

  /** A flood whose connections come from {@code sources} in turn (many hosts). */
  ConnectFlood(
      java.util.List<InetAddress> sources,
      InetSocketAddress target,
      int rate,
      int maxHeld,
      long maxMillis) {
    if (!sources.stream().allMatch(InetAddress::isLoopbackAddress)
        || !target.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("the flood stays on 127.0.0.0/8");
    }
    this.sources = java.util.List.copyOf(sources);
    this.target = target;
    this.rate = rate;
    this.maxHeld = maxHeld;
    this.maxMillis = maxMillis;
    this.thread = new Thread(this::run, "connect-flood");
    thread.setDaemon(true);
  }

  ConnectFlood start() {
    thread.start();
    return this;
  }

  private void run() {
    long start = System.nanoTime();
    long end = start + maxMillis * 1_000_000L;
    long opened = 0;
    while (!stop) {
      long now = System.nanoTime();
      if (now > end) {
        break;
      }
      long due = (now - start) * rate / 1_000_000_000L;
      if (opened >= due) {
        try {
          Thread.sleep(1);
        } catch (InterruptedException e) {
          break;
        }
        continue;
      }
      opened++;
      Socket s = new Socket();
      try {
        s.bind(new InetSocketAddress(sources.get((int) (opened % sources.size())), 0));
        s.connect(target, 250);
        connected.incrementAndGet();
        held.add(s);
        if (held.size() > maxHeld) {
          closeQuietly(held.poll());
        }
      } catch (IOException e) {
        failed.incrementAndGet();
        closeQuietly(s);
      }
    }
    Socket s;
    while ((s = held.poll()) != null) {
      closeQuietly(s);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing is best effort
    }
  }

  /** Stops dialling and closes every held socket; waits for the driver thread. */
  @Override
  public void close() throws InterruptedException {
    stop = true;
    thread.join(10_000);
  }
}
