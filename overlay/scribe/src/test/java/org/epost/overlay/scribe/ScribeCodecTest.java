package org.epost.overlay.scribe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.epost.overlay.api.Address;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.scribe.ScribeMessage.Anycast;
import org.epost.overlay.scribe.ScribeMessage.AnycastResult;
import org.epost.overlay.scribe.ScribeMessage.Data;
import org.epost.overlay.scribe.ScribeMessage.Heartbeat;
import org.epost.overlay.scribe.ScribeMessage.HeartbeatAck;
import org.epost.overlay.scribe.ScribeMessage.Join;
import org.epost.overlay.scribe.ScribeMessage.JoinAck;
import org.epost.overlay.scribe.ScribeMessage.JoinRedirect;
import org.epost.overlay.scribe.ScribeMessage.Leave;
import org.epost.overlay.scribe.ScribeMessage.Publish;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.TopicId;
import org.junit.jupiter.api.Test;

class ScribeCodecTest {
  private static final TopicId TOPIC = TopicId.named("bob@ring.example");
  private static final NodeHandle A =
      new NodeHandle(Id.fromHex("0123456789abcdef0123456789abcdef01234567"), Address.virtual(7));
  private static final NodeHandle B =
      new NodeHandle(Id.fromHex("fedcba9876543210fedcba9876543210fedcba98"), Address.virtual(9));

  static List<ScribeMessage> samples() {
    return List.of(
        new Join(TOPIC, true, new long[] {1, -2, Long.MAX_VALUE}, 2),
        new Join(TOPIC, false, new long[0], 0),
        new JoinAck(TOPIC, new NodeHandle[] {A, B}),
        new JoinRedirect(TOPIC, new NodeHandle[] {A, B}),
        new Leave(TOPIC),
        new Heartbeat(42, 180, new TopicId[] {TOPIC, TopicId.named("x")}),
        new HeartbeatAck(42, new int[] {0, (180 << 8) | 3}),
        new ScribeMessage.Probe(TOPIC, 77),
        new ScribeMessage.ProbeReply(TOPIC, 77, -1),
        new Publish(TOPIC, -7, "hello".getBytes()),
        new Data(TOPIC, 99, A, 3, true, new byte[1000]),
        new Anycast(TOPIC, 5, B, new Id[] {A.id()}, new NodeHandle[] {A, B}, new byte[] {9}),
        new AnycastResult(5, true));
  }

  @Test
  void everyMessageRoundTrips() throws Exception {
    for (ScribeMessage m : samples()) {
      byte[] bytes = ScribeCodec.encode(m);
      ScribeMessage back = ScribeCodec.decode(bytes);
      assertEquals(m.getClass(), back.getClass());
      assertArrayEquals(
          bytes, ScribeCodec.encode(back), "re-encoding " + m.getClass().getSimpleName());
    }
    Data d =
        (Data)
            ScribeCodec.decode(ScribeCodec.encode(new Data(TOPIC, 99, A, 3, true, "x".getBytes())));
    assertEquals(TOPIC, d.topic());
    assertEquals(99, d.publicationId());
    assertEquals(A, d.publisher());
    assertEquals(3, d.depth());
    assertTrue(d.up());
    assertArrayEquals("x".getBytes(), d.payload());
  }

  @Test
  void everyTruncationAndTrailingByteIsRejected() {
    for (ScribeMessage m : samples()) {
      byte[] bytes = ScribeCodec.encode(m);
      for (int n = 0; n < bytes.length; n++) {
        byte[] cut = Arrays.copyOf(bytes, n);
        assertThrows(
            MalformedFrameException.class, () -> ScribeCodec.decode(cut), m + " cut at " + n);
      }
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
      assertThrows(MalformedFrameException.class, () -> ScribeCodec.decode(longer));
    }
  }

  @Test
  void wrongVersionAndUnknownTypeAreRejected() {
    byte[] bytes = ScribeCodec.encode(new Leave(TOPIC));
    bytes[0] = 2;
    assertThrows(MalformedFrameException.class, () -> ScribeCodec.decode(bytes));
    byte[] unknown = ScribeCodec.encode(new Leave(TOPIC));
    unknown[1] = 77;
    assertThrows(MalformedFrameException.class, () -> ScribeCodec.decode(unknown));
  }

  @Test
  void declaredLengthsBeyondTheBoundsAreRejectedBeforeAllocating() {
    // A heartbeat that claims 65535 topics, a payload that claims 2 GiB, a path of 255 ids.
    ByteBuffer hb =
        ByteBuffer.allocate(12)
            .put(ScribeCodec.VERSION)
            .put((byte) 5)
            .putInt(1)
            .putInt(1)
            .putShort((short) -1);
    assertThrows(MalformedFrameException.class, () -> ScribeCodec.decode(hb.array()));
    ByteBuffer pub = ByteBuffer.allocate(2 + Id.BYTES + 12).put(ScribeCodec.VERSION).put((byte) 7);
    TOPIC.id().write(pub);
    pub.putLong(1).putInt(Integer.MAX_VALUE);
    assertThrows(MalformedFrameException.class, () -> ScribeCodec.decode(pub.array()));
    ByteBuffer ack = ByteBuffer.allocate(2 + Id.BYTES + 1).put(ScribeCodec.VERSION).put((byte) 2);
    TOPIC.id().write(ack);
    ack.put((byte) 255);
    assertThrows(MalformedFrameException.class, () -> ScribeCodec.decode(ack.array()));
  }

  @Test
  void encoderRefusesWhatTheDecoderWouldRefuse() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ScribeCodec.encode(new Publish(TOPIC, 1, new byte[ScribeConfig.PAYLOAD_LIMIT + 1])));
    assertThrows(
        IllegalArgumentException.class,
        () -> ScribeCodec.encode(new Join(TOPIC, true, new long[ScribeCodec.MAX_SEEN + 1], 0)));
  }

  @Test
  void randomBytesAndBitFlipsOnlyEverRaiseMalformedFrame() {
    SplittableRandom rnd = new SplittableRandom(5);
    List<ScribeMessage> samples = samples();
    for (int i = 0; i < 20_000; i++) {
      byte[] bytes;
      if (i % 2 == 0) {
        bytes = new byte[rnd.nextInt(200)];
        for (int k = 0; k < bytes.length; k++) {
          bytes[k] = (byte) rnd.nextInt(256);
        }
        if (bytes.length > 1) {
          bytes[0] = ScribeCodec.VERSION;
        }
      } else {
        bytes = ScribeCodec.encode(samples.get(rnd.nextInt(samples.size())));
        bytes[rnd.nextInt(bytes.length)] ^= (byte) (1 << rnd.nextInt(8));
      }
      try {
        ScribeMessage m = ScribeCodec.decode(bytes);
        ScribeCodec.encode(m); // whatever decodes is a valid message again
      } catch (MalformedFrameException expected) {
        // fine: rejected with a typed error
      }
    }
  }

  @Test
  void namedTopicsAreStableAndDistinct() {
    assertEquals(TopicId.named("a"), TopicId.named("a"));
    assertTrue(!TopicId.named("a").equals(TopicId.named("b")));
    // SHA-256("abc") starts ba7816bf8f01cfea414140de5dae2223b00361a3...
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a3", TopicId.named("abc").id().toHex());
  }
}
