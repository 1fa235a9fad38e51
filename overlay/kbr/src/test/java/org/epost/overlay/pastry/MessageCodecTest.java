package org.epost.overlay.pastry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment.HandleInterner;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

  /** 2,000 seeds: each gives one random frame and one mutation of a valid frame. */
  static LongStream seeds() {
    return LongStream.range(0, 2000);
  }

  /**
   * Random bytes (with a valid version so parsing goes deep) never crash the decoder: the empty
   * array, one byte, and up to 300 random bytes.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void garbageNeverCrashesTheDecoder(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] garbage = new byte[seed < 2 ? (int) seed : r.nextInt(301)];
    r.nextBytes(garbage);
    if (garbage.length > 1) {
      garbage[0] = 1;
      garbage[1] = (byte) (Math.floorMod(garbage[1], 15));
    }
    decodesOrRejectsCleanly(garbage);
  }

  /**
   * A valid frame with random bytes flipped, cut off or appended decodes or is rejected with a
   * {@link MalformedFrameException}, never another exception.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void mutatedValidFramesDecodeOrAreRejectedCleanly(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<byte[]> valid = validFrames();
    byte[] f = valid.get(r.nextInt(valid.size())).clone();
    decodesOrRejectsCleanly(mutate(f, r));
  }

  private static void decodesOrRejectsCleanly(byte[] frame) {
    try {
      MessageCodec.decode(frame, NONE);
    } catch (MalformedFrameException expected) {
      // the only acceptable failure
    }
  }

  private static List<byte[]> validFrames() {
    List<Message.JoinRow> rows =
        List.of(new Message.JoinRow(0, List.of(B, C)), new Message.JoinRow(5, List.of()));
    return List.of(
        MessageCodec.encode(
            A,
            new Message.Routed(WireFormat.ROUTE, 42, B.id(), C, 3, 100, new byte[] {1, 2}, null)),
        MessageCodec.encode(A, new Message.Routed(WireFormat.JOIN, 7, C.id(), C, 1, 0, null, rows)),
        MessageCodec.encode(A, new Message.Ack(WireFormat.ACK, 9, 100)),
        MessageCodec.encode(A, new Message.Direct(200, new byte[] {9})),
        MessageCodec.encode(A, new Message.HandleList(WireFormat.JOIN_REPLY, List.of(B), rows)),
        MessageCodec.encode(A, new Message.Probe(WireFormat.PONG, 6, false, 77)),
        MessageCodec.encode(
            A, new Message.Row(WireFormat.ROW_REPLY, 3, List.of(B, C), new int[] {17, 4})),
        MessageCodec.encode(A, new Message.Failed(B)));
  }

  /** One to three random flips, a truncation, or an extension by random bytes. */
  static byte[] mutate(byte[] f, SplittableRandom r) {
    switch (r.nextInt(3)) {
      case 0 -> {
        for (int k = 1 + r.nextInt(3); k > 0 && f.length > 0; k--) {
          f[r.nextInt(f.length)] ^= (byte) (1 + r.nextInt(255));
        }
        return f;
      }
      case 1 -> {
        return Arrays.copyOf(f, r.nextInt(f.length + 1));
      }
      default -> {
        byte[] longer = Arrays.copyOf(f, f.length + 1 + r.nextInt(64));
        for (int i = f.length; i < longer.length; i++) {
          longer[i] = (byte) r.nextInt(256);
        }
        return longer;
      }
    }
  }
}
