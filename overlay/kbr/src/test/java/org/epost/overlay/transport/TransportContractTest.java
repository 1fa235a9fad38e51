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
 * What every {@link Transport} promises the overlay, run against the virtual network and TCP by two
 * small subclasses. Frames carry the overlay header (version, type, application, sender id) because
 * a real transport checks the sender id against the proven one.
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
    final List<Address> unreachable = new ArrayList<>();

    public Endpoint(Id id) {
      this.id = id;
    }

    @Override
    public synchronized void receive(Address sender, byte[] frame) {
      from.add(sender);
      frames.add(frame);
    }

    @Override
    public synchronized void unreachable(Address to) {
      unreachable.add(to);
    }

    /** The addresses the transport hinted were unreachable, so far. */
    public synchronized List<Address> unreachableHints() {
      return new ArrayList<>(unreachable);
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

  /**
   * An overlay-shaped frame from {@code sender}: version 1, type 9, application 0, sender id, body.
   */
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
    a.transport.send(b.transport.localAddress(), b.id, f.clone());
    net.runUntil(() -> b.count() == 1);
    assertEquals(1, b.count());
    assertArrayEquals(f, b.frame(0));
    assertEquals(a.transport.localAddress(), b.sender(0));
  }

  @Test
  void theReceiverCanAnswerTheSendersAddress() throws Exception {
    Endpoint a = net.newEndpoint();
    Endpoint b = net.newEndpoint();
    a.transport.send(b.transport.localAddress(), b.id, frame(a, new byte[] {7}));
    net.runUntil(() -> b.count() == 1);
    b.transport.send(b.sender(0), a.id, frame(b, new byte[] {8}));
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
    a.transport.send(b.transport.localAddress(), b.id, f.clone());
    assertThrows(
        IllegalArgumentException.class,
        () ->
            a.transport.send(
                b.transport.localAddress(), b.id, new byte[Transport.MAX_FRAME_BYTES + 1]));
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
        s.transport.send(
            sink.transport.localAddress(),
            sink.id,
            frame(s, ByteBuffer.allocate(4).putInt(i).array()));
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
    a.transport.send(nobody, null, frame(a, new byte[] {1}));
    a.transport.send(b.transport.localAddress(), b.id, frame(a, new byte[] {2}));
    net.runUntil(() -> b.count() == 1);
    assertEquals(1, b.count());
    assertTrue(a.count() == 0);
  }

  /**
   * ADR 0060: a peer that advertises the victim's id with its own address gets no frame meant for
   * the victim; the same frame sent with the impostor's real id reaches it, and the victim, at its
   * own address, gets its frame.
   */
  @Test
  void aFrameForOneIdIsNotDeliveredToAnotherNodeAtTheAdvertisedAddress() throws Exception {
    Endpoint sender = net.newEndpoint();
    Endpoint victim = net.newEndpoint();
    Endpoint impostor = net.newEndpoint();
    // The impostor's advertisement: victim's id, impostor's address.
    sender.transport.send(
        impostor.transport.localAddress(), victim.id, frame(sender, new byte[] {66}));
    sender.transport.send(
        victim.transport.localAddress(), victim.id, frame(sender, new byte[] {1}));
    net.runUntil(() -> victim.count() == 1);
    sender.transport.send(
        impostor.transport.localAddress(), impostor.id, frame(sender, new byte[] {2}));
    net.runUntil(() -> impostor.count() == 1);
    assertEquals(1, victim.count());
    assertEquals(1, victim.frame(0)[4 + Id.BYTES]);
    assertEquals(1, impostor.count(), "only the frame addressed to its own id");
    assertEquals(2, impostor.frame(0)[4 + Id.BYTES]);
    assertNoMisdirectedFrameWasSent(sender, impostor);
  }

  /** Transport-specific evidence that the refused frame never left (counters, hints); optional. */
  protected void assertNoMisdirectedFrameWasSent(Endpoint sender, Endpoint impostor)
      throws Exception {}

  /** An address of this network where no node lives. */
  protected abstract Address deadAddress() throws Exception;
}
