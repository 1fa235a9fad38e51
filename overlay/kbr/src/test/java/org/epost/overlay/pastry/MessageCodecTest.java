package org.epost.overlay.pastry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment.HandleInterner;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.Transport;
import org.junit.jupiter.api.Test;

class MessageCodecTest {
  private static final HandleInterner NONE = HandleInterner.none();
  private static final NodeHandle A =
      new NodeHandle(Id.fromHex("a".repeat(40)), Address.virtual(7));
  private static final NodeHandle B =
      new NodeHandle(Id.fromHex("b".repeat(40)), Address.inet(new byte[] {10, 0, 0, 1}, 4000));
  private static final NodeHandle C =
      new NodeHandle(Id.fromHex("c".repeat(40)), Address.inet(new byte[16], 65535));

  private static Message roundTrip(Message m) throws MalformedFrameException {
    byte[] frame = MessageCodec.encode(A, m);
    MessageCodec.Inbound in = MessageCodec.decode(frame, NONE);
    assertEquals(A, in.sender());
    assertEquals(m.type(), in.message().type());
    assertArrayEquals(
        frame, MessageCodec.encode(A, in.message()), "re-encoding gives the same bytes");
    return in.message();
  }

  @Test
  void everyMessageTypeRoundTrips() throws Exception {
    Message.Routed route =
        (Message.Routed)
            roundTrip(
                new Message.Routed(
                    WireFormat.ROUTE, 42, B.id(), C, 3, 100, new byte[] {1, 2, 3}, null));
    assertEquals(42, route.msgId);
    assertEquals(C, route.source);
    assertEquals(3, route.hops);
    assertEquals(100, route.appId);
    assertArrayEquals(new byte[] {1, 2, 3}, route.payload);
    List<Message.JoinRow> rows =
        List.of(new Message.JoinRow(0, List.of(B, C)), new Message.JoinRow(5, List.of()));
    Message.Routed join =
        (Message.Routed)
            roundTrip(new Message.Routed(WireFormat.JOIN, 7, C.id(), C, 1, 0, null, rows));
    assertEquals(rows, join.rows);
    assertEquals(
        new Message.Ack(WireFormat.ACK, 9, 100),
        roundTrip(new Message.Ack(WireFormat.ACK, 9, 100)));
    assertEquals(
        new Message.Ack(WireFormat.RECEIPT, -1, 300),
        roundTrip(new Message.Ack(WireFormat.RECEIPT, -1, 300)));
    assertArrayEquals(
        new byte[] {9},
        ((Message.Direct) roundTrip(new Message.Direct(200, new byte[] {9}))).payload());
    assertEquals(
        List.of(B, C),
        ((Message.HandleList)
                roundTrip(new Message.HandleList(WireFormat.HEARTBEAT, List.of(B, C), List.of())))
            .handles());
    Message.HandleList reply =
        (Message.HandleList)
            roundTrip(new Message.HandleList(WireFormat.JOIN_REPLY, List.of(B), rows));
    assertEquals(rows, reply.rows());
    roundTrip(new Message.HandleList(WireFormat.ANNOUNCE, List.of(), List.of()));
    roundTrip(new Message.HandleList(WireFormat.ANNOUNCE_ACK, List.of(C), List.of()));
    assertEquals(
        new Message.Probe(WireFormat.PING, 123, true),
        roundTrip(new Message.Probe(WireFormat.PING, 123, true)));
    assertEquals(
        new Message.Probe(WireFormat.PONG, 5, false),
        roundTrip(new Message.Probe(WireFormat.PONG, 5, false)));
    assertEquals(
        new Message.Probe(WireFormat.PONG, 5, false, 0),
        roundTrip(new Message.Probe(WireFormat.PONG, 5, false, 0)));
    assertEquals(
        new Message.Probe(WireFormat.PONG, 6, false, 77),
        roundTrip(new Message.Probe(WireFormat.PONG, 6, false, 77)));
    Message.Row row =
        (Message.Row)
            roundTrip(
                new Message.Row(
                    WireFormat.ROW_REPLY,
                    3,
                    List.of(B, C),
                    new int[] {17, RoutingTable.UNKNOWN_RTT}));
    assertEquals(List.of(B, C), row.entries());
    assertArrayEquals(new int[] {17, RoutingTable.UNKNOWN_RTT}, row.rtts());
    assertEquals(3, ((Message.Row) roundTrip(Message.Row.request(3))).row());
    assertEquals(new Message.Failed(B), roundTrip(new Message.Failed(B)));
  }

  @Test
  void headerCarriesTypeAndApplicationForTrafficAccounting() {
    byte[] f =
        MessageCodec.encode(
            A, new Message.Routed(WireFormat.ROUTE, 1, B.id(), A, 0, 1234, new byte[0], null));
    assertEquals("ROUTE", WireFormat.typeName(WireFormat.frameType(f)));
    assertEquals(1234, WireFormat.frameApplication(f));
    assertEquals(
        -1,
        WireFormat.frameApplication(
            MessageCodec.encode(A, new Message.Probe(WireFormat.PING, 0, false))));
  }

  @Test
  void measureRequestIsOnlyAcceptedOnPongWithAValidClock() {
    byte[] pong = MessageCodec.encode(A, new Message.Probe(WireFormat.PONG, 1, false, 9));
    byte[] onPing = pong.clone();
    onPing[1] = (byte) WireFormat.PING; // the measure-back bit is meaningless on a PING
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(onPing, NONE));
    byte[] unknownBit = pong.clone();
    unknownBit[pong.length - 9] = 4;
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(unknownBit, NONE));
    byte[] negative = pong.clone();
    negative[pong.length - 8] = (byte) 0x80;
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(negative, NONE));
    byte[] truncated = Arrays.copyOf(pong, pong.length - 1);
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(truncated, NONE));
  }

  @Test
  void oversizedFrameIsRejectedBeforeParsing() {
    byte[] big = new byte[Transport.MAX_FRAME_BYTES + 1];
    big[0] = 1;
    MalformedFrameException e =
        assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(big, NONE));
    assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
  }

  @Test
  void wrongVersionUnknownTypeTrailingBytesAndReservedAppsAreRejected() {
    byte[] ok = MessageCodec.encode(A, new Message.Probe(WireFormat.PING, 1, false));
    byte[] v = ok.clone();
    v[0] = 2;
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(v, NONE));
    byte[] t = ok.clone();
    t[1] = (byte) 99;
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(t, NONE));
    byte[] trailing = Arrays.copyOf(ok, ok.length + 1);
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(trailing, NONE));
    byte[] route =
        MessageCodec.encode(
            A, new Message.Routed(WireFormat.ROUTE, 1, B.id(), A, 0, 16, new byte[0], null));
    route[2] = 0;
    route[3] = 3; // application 3 is reserved
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(route, NONE));
  }

  @Test
  void listLongerThanItsBoundIsRejected() {
    List<NodeHandle> many = new ArrayList<>();
    for (int i = 0; i < MessageCodec.MAX_HANDLES + 1; i++) {
      many.add(new NodeHandle(Id.of(i, i, i), Address.virtual(i)));
    }
    byte[] f =
        MessageCodec.encode(A, new Message.HandleList(WireFormat.HEARTBEAT, many, List.of()));
    MalformedFrameException e =
        assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(f, NONE));
    assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
  }

  @Test
  void payloadLengthLyingAboutTheFrameIsRejectedWithoutAllocatingIt() {
    byte[] f = MessageCodec.encode(A, new Message.Direct(100, new byte[4]));
    ByteBuffer.wrap(f).putInt(f.length - 8, Integer.MAX_VALUE);
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(f, NONE));
    ByteBuffer.wrap(f).putInt(f.length - 8, 1000);
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(f, NONE));
  }

  @Test
  void hopCountBeyondTheLimitIsRejected() {
    byte[] f =
        MessageCodec.encode(
            A,
            new Message.Routed(
                WireFormat.ROUTE, 1, B.id(), A, MessageCodec.MAX_HOPS + 1, 16, new byte[0], null));
    assertThrows(MalformedFrameException.class, () -> MessageCodec.decode(f, NONE));
  }

  /** Any truncation of a valid frame is a typed error, never another exception. */
  @Test
  void everyTruncationIsATypedError() {
    byte[] f =
        MessageCodec.encode(
            A,
            new Message.HandleList(
                WireFormat.JOIN_REPLY, List.of(B, C), List.of(new Message.JoinRow(1, List.of(C)))));
    for (int len = 0; len < f.length; len++) {
      byte[] cut = Arrays.copyOf(f, len);
      assertThrows(
          MalformedFrameException.class, () -> MessageCodec.decode(cut, NONE), "length " + len);
    }
  }

  /** Random bytes (with a valid version so parsing goes deep) never crash the decoder. */
  @Property(tries = 2000)
  void garbageNeverCrashesTheDecoder(@ForAll @Size(max = 300) byte[] garbage) {
    if (garbage.length > 1) {
      garbage[0] = 1;
      garbage[1] = (byte) (Math.floorMod(garbage[1], 15));
    }
    try {
      MessageCodec.decode(garbage, NONE);
    } catch (MalformedFrameException expected) {
      // the only acceptable failure
    }
  }
}
