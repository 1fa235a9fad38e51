package org.epost.overlay.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.FrameReceiver;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Transport} promises the overlay, run against the virtual network and TCP by
 * two small subclasses. Frames carry the overlay header (version, type, application, sender id)
 * because a real transport checks the sender id against the proven one.
 */
public abstract class TransportContractTest {
  /** A network that makes endpoints and lets time pass until a condition holds. */
  public interface Network extends AutoCloseable {
    Endpoint newEndpoint() throws Exception;

    /** Runs the network (virtual or wall-clock time) until {@code done} or a generous limit. */
    void runUntil(BooleanSupplier done) throws Exception;
  }

  /** One node's transport and what it received. */
  public static final class Endpoint implements FrameReceiver {
    public final Id id;
    public Transport transport;
    final List<Address> from = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();

    public Endpoint(Id id) {
      this.id = id;
    }

    @Override
    public synchronized void receive(Address sender, byte[] frame) {
      from.add(sender);
      frames.add(frame);
    }

    /** Frames received so far. */
    public synchronized int count_() {
      return frames.size();
    }

    synchronized int count() {
      return frames.size();
    }

    synchronized byte[] frame(int i) {
      return frames.get(i);
    }

    synchronized Address sender(int i) {
      return from.get(i);
    }
  }

  protected abstract Network network() throws Exception;

  private Network net;

  @BeforeEach
  void start() throws Exception {
    net = network();
  }

  @AfterEach
  void stop() throws Exception {
    net.close();
  }

  /** An overlay-shaped frame from {@code sender}: version 1, type 9, application 0, sender id, body. */
  static byte[] frame(Endpoint sender, byte[] body) {
    ByteBuffer b = ByteBuffer.allocate(4 + Id.BYTES + body.length);
    b.put((byte) 1).put((byte) 9).putShort((short) 0);
    sender.id.write(b);
    return b.put(body).array();
  }

  @Test
  void aFrameArrivesWhole_withTheSendersAddress() throws Exception {
    Endpoint a = net.newEndpoint();
    Endpoint b = net.newEndpoint();
    byte[] f = frame(a, new byte[] {1, 2, 3});
    a.transport.send(b.transport.localAddress(), f.clone());
    net.runUntil(() -> b.count() == 1);
    assertEquals(1, b.count());
    assertArrayEquals(f, b.frame(0));
    assertEquals(a.transport.localAddress(), b.sender(0));
  }

  @Test
  void theReceiverCanAnswerTheSendersAddress() throws Exception {
    Endpoint a = net.newEndpoint();
    Endpoint b = net.newEndpoint();
    a.transport.send(b.transport.localAddress(), frame(a, new byte[] {7}));
    net.runUntil(() -> b.count() == 1);
    b.transport.send(b.sender(0), frame(b, new byte[] {8}));
    net.runUntil(() -> a.count() == 1);
    assertEquals(1, a.count());
    assertEquals(b.transport.localAddress(), a.sender(0));
  }

  @Test
  void theLargestFrameArrivesIntact_andALargerOneIsRefusedAtTheSender() throws Exception {
    Endpoint a = net.newEndpoint();
    Endpoint b = net.newEndpoint();
    byte[] body = new byte[Transport.MAX_FRAME_BYTES - 4 - Id.BYTES];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) (i * 31);
    }
    byte[] f = frame(a, body);
    assertEquals(Transport.MAX_FRAME_BYTES, f.length);
    a.transport.send(b.transport.localAddress(), f.clone());
    assertThrows(IllegalArgumentException.class,
        () -> a.transport.send(b.transport.localAddress(), new byte[Transport.MAX_FRAME_BYTES + 1]));
    net.runUntil(() -> b.count() == 1);
    assertArrayEquals(f, b.frame(0));
  }

  @Test
  void manyFramesFromSeveralSendersAllArrive() throws Exception {
    Endpoint sink = net.newEndpoint();
    List<Endpoint> senders = List.of(net.newEndpoint(), net.newEndpoint(), net.newEndpoint());
    int per = 300;
    for (int i = 0; i < per; i++) {
      for (Endpoint s : senders) {
        s.transport.send(sink.transport.localAddress(), frame(s, ByteBuffer.allocate(4).putInt(i).array()));
      }
    }
    net.runUntil(() -> sink.count() == per * senders.size());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < sink.count(); i++) {
      seen.add(sink.sender(i) + "/" + ByteBuffer.wrap(sink.frame(i), 4 + Id.BYTES, 4).getInt());
    }
    assertEquals(per * senders.size(), seen.size(), "every frame exactly once");
  }

  @Test
  void sendingToAnAddressWhereNobodyListensReturnsAndDeliversNothing() throws Exception {
    Endpoint a = net.newEndpoint();
    Endpoint b = net.newEndpoint();
    Address nobody = deadAddress();
    a.transport.send(nobody, frame(a, new byte[] {1}));
    a.transport.send(b.transport.localAddress(), frame(a, new byte[] {2}));
    net.runUntil(() -> b.count() == 1);
    assertEquals(1, b.count());
    assertTrue(a.count() == 0);
  }

  /** An address of this network where no node lives. */
  protected abstract Address deadAddress() throws Exception;
}
