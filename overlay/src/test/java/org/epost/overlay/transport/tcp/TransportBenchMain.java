package org.epost.overlay.transport.tcp;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load driver for docs/benchmarks/transport.md (not a unit test): one-way throughput and
 * ping-pong round trips between two TcpTransports on loopback, and the same over a plain TCP
 * socket with the same length-prefixed framing (no TLS) as the baseline. Run:
 * {@code java -cp overlay/target/classes:overlay/target/test-classes:$(cat cp.txt) org.epost.overlay.transport.tcp.TransportBenchMain}
 */
public final class TransportBenchMain {
  public static void main(String[] args) throws Exception {
    for (int size : new int[] {1024, 65536 - 64}) {
      throughputTcp(size);
      throughputRaw(size);
    }
    latencyTcp();
    latencyRaw();
    System.exit(0);
  }

  static byte[] frame(NodeCredentials c, int size) {
    byte[] f = new byte[size];
    f[0] = 1;
    f[1] = 9;
    System.arraycopy(c.id().toBytes(), 0, f, 4, 20);
    return f;
  }

  static void throughputTcp(int size) throws Exception {
    try (TcpFixture fx = new TcpFixture(TcpTransportConfig.defaults().withMaxQueuedBytesPerPeer(64L << 20))) {
      AtomicLong got = new AtomicLong();
      NodeCredentials a = NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      NodeCredentials b = NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      TcpTransport ta = fx.transport(a, (from, f) -> { });
      TcpTransport tb = fx.transport(b, (from, f) -> got.incrementAndGet());
      byte[] f = frame(a, size);
      long n = size < 4096 ? 200_000 : 10_000;
      long t0 = System.nanoTime();
      long sent = 0;
      while (sent < n) {
        long before = ta.statistics().droppedQueueFull();
        ta.send(tb.localAddress(), b.id(), f);
        if (ta.statistics().droppedQueueFull() > before) {
          Thread.sleep(1);
        } else {
          sent++;
        }
      }
      TcpFixture.await(() -> got.get() >= n, 120_000);
      report("transport", size, n, System.nanoTime() - t0);
    }
  }

  static void throughputRaw(int size) throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      long n = size < 4096 ? 200_000 : 10_000;
      Thread reader = new Thread(() -> {
        try (Socket s = ss.accept(); DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream(), 1 << 16))) {
          for (long i = 0; i < n; i++) {
            int len = in.readInt();
            in.readByte();
            in.readByte();
            byte[] body = new byte[len - 2];
            in.readFully(body);
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      reader.start();
      long t0 = System.nanoTime();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream(), 1 << 16))) {
        s.setTcpNoDelay(true);
        byte[] body = new byte[size];
        for (long i = 0; i < n; i++) {
          out.writeInt(size + 2);
          out.write(1);
          out.write(2);
          out.write(body);
        }
        out.flush();
        reader.join();
      }
      report("raw-tcp", size, n, System.nanoTime() - t0);
    }
  }

  static void report(String what, int size, long n, long nanos) {
    double s = nanos / 1e9;
    System.out.printf("%-10s payload %6d B: %9.0f msgs/s %8.1f MB/s%n", what, size, n / s, n * (double) size / s / 1e6);
  }

  static void latencyTcp() throws Exception {
    try (TcpFixture fx = new TcpFixture(TcpTransportConfig.defaults())) {
      NodeCredentials a = NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      NodeCredentials b = NodeCredentials.of(org.epost.crypto.api.NodeIdentity.generate(TcpFixture.RANDOM));
      java.util.concurrent.SynchronousQueue<Boolean> back = new java.util.concurrent.SynchronousQueue<>();
      byte[] fa = frame(a, 1024);
      byte[] fb = frame(b, 1024);
      TcpTransport[] tb = new TcpTransport[1];
      TcpTransport ta = fx.transport(a, (from, f) -> back.offer(true));
      tb[0] = fx.transport(b, (from, f) -> tb[0].send(from, a.id(), fb.clone()));
      long[] rtt = new long[5000];
      for (int i = -1000; i < rtt.length; i++) {
        long t0 = System.nanoTime();
        ta.send(tb[0].localAddress(), b.id(), fa.clone());
        back.take();
        if (i >= 0) {
          rtt[i] = System.nanoTime() - t0;
        }
      }
      percentiles("transport", rtt);
    }
  }

  static void latencyRaw() throws Exception {
    try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread echo = new Thread(() -> {
        try (Socket s = ss.accept(); DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
          s.setTcpNoDelay(true);
          byte[] buf = new byte[1026];
          while (true) {
            int len = in.readInt();
            in.readFully(buf, 0, len);
            out.writeInt(len);
            out.write(buf, 0, len);
            out.flush();
          }
        } catch (Exception e) {
          // closed
        }
      });
      echo.setDaemon(true);
      echo.start();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), ss.getLocalPort());
          DataInputStream in = new DataInputStream(s.getInputStream());
          DataOutputStream out = new DataOutputStream(s.getOutputStream())) {
        s.setTcpNoDelay(true);
        byte[] buf = new byte[1026];
        long[] rtt = new long[5000];
        for (int i = -1000; i < rtt.length; i++) {
          long t0 = System.nanoTime();
          out.writeInt(1026);
          out.write(buf);
          out.flush();
          in.readFully(buf, 0, in.readInt());
          if (i >= 0) {
            rtt[i] = System.nanoTime() - t0;
          }
        }
        percentiles("raw-tcp", rtt);
      }
    }
  }

  static void percentiles(String what, long[] rtt) {
    Arrays.sort(rtt);
    System.out.printf("%-10s 1 KiB round trip (2 hops): p50 %6.1f us  p99 %7.1f us%n", what,
        rtt[rtt.length / 2] / 1e3, rtt[rtt.length * 99 / 100] / 1e3);
  }

  private TransportBenchMain() {}

}
