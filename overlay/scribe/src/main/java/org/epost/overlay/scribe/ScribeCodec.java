package org.epost.overlay.scribe;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
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
import org.epost.overlay.scribe.ScribeMessage.Probe;
import org.epost.overlay.scribe.ScribeMessage.ProbeReply;
import org.epost.overlay.scribe.ScribeMessage.Publish;
import org.epost.overlay.scribe.api.ScribeConfig;
import org.epost.overlay.scribe.api.TopicId;

/**
 * Scribe's versioned, bounded wire format: version (1) | type (1) | body. Every list has a maximum
 * length checked before anything is allocated; a payload is at most {@link
 * ScribeConfig#PAYLOAD_LIMIT} bytes; trailing bytes are an error. Decoding never trusts a length
 * beyond the bytes present.
 */
final class ScribeCodec {
  static final byte VERSION = 1;
  static final int MAX_SEEN = 32;
  static final int MAX_PATH = 64;
  static final int MAX_CANDIDATES = 8;
  static final int MAX_HEARTBEAT_TOPICS = 1024;
  static final int MAX_VISITED = 128;
  static final int MAX_STACK = 128;

  private static final byte JOIN = 1;
  private static final byte JOIN_ACK = 2;
  private static final byte JOIN_REDIRECT = 3;
  private static final byte LEAVE = 4;
  private static final byte HEARTBEAT = 5;
  private static final byte HEARTBEAT_ACK = 6;
  private static final byte PUBLISH = 7;
  private static final byte DATA = 8;
  private static final byte ANYCAST = 9;
  private static final byte ANYCAST_RESULT = 10;
  private static final byte PROBE = 11;
  private static final byte PROBE_REPLY = 12;

  private ScribeCodec() {}

  static byte[] encode(ScribeMessage m) {
    ByteBuffer b = ByteBuffer.allocate(size(m));
    b.put(VERSION);
    if (m instanceof Join j) {
      check(j.seen().length <= MAX_SEEN, "too many seen ids");
      b.put(JOIN);
      j.topic().id().write(b);
      b.put((byte) (j.repair() ? 1 : 0)).put((byte) j.redirects()).put((byte) j.seen().length);
      for (long s : j.seen()) {
        b.putLong(s);
      }
    } else if (m instanceof JoinAck a) {
      check(a.path().length <= MAX_PATH, "path too long");
      b.put(JOIN_ACK);
      a.topic().id().write(b);
      b.put((byte) a.path().length);
      for (NodeHandle h : a.path()) {
        h.write(b);
      }
    } else if (m instanceof JoinRedirect r) {
      check(r.candidates().length <= MAX_CANDIDATES, "too many candidates");
      b.put(JOIN_REDIRECT);
      r.topic().id().write(b);
      b.put((byte) r.candidates().length);
      for (NodeHandle h : r.candidates()) {
        h.write(b);
      }
    } else if (m instanceof Leave l) {
      b.put(LEAVE);
      l.topic().id().write(b);
    } else if (m instanceof Heartbeat h) {
      check(h.topics().length <= MAX_HEARTBEAT_TOPICS, "too many topics in a heartbeat");
      b.put(HEARTBEAT).putInt(h.nonce()).putInt(h.rttMillis()).putShort((short) h.topics().length);
      for (TopicId t : h.topics()) {
        t.id().write(b);
      }
    } else if (m instanceof HeartbeatAck a) {
      check(a.status().length <= MAX_HEARTBEAT_TOPICS, "too many topics in a heartbeat ack");
      b.put(HEARTBEAT_ACK).putInt(a.nonce()).putShort((short) a.status().length);
      for (int st : a.status()) {
        b.putInt(st);
      }
    } else if (m instanceof Publish p) {
      check(p.payload().length <= ScribeConfig.PAYLOAD_LIMIT, "payload too large");
      b.put(PUBLISH);
      p.topic().id().write(b);
      b.putLong(p.publicationId()).putInt(p.payload().length).put(p.payload());
    } else if (m instanceof Data d) {
      check(d.payload().length <= ScribeConfig.PAYLOAD_LIMIT, "payload too large");
      b.put(DATA);
      d.topic().id().write(b);
      b.putLong(d.publicationId());
      d.publisher().write(b);
      b.put((byte) Math.min(255, d.depth())).put((byte) (d.up() ? 1 : 0));
      b.putInt(d.payload().length).put(d.payload());
    } else if (m instanceof Anycast a) {
      check(a.payload().length <= ScribeConfig.PAYLOAD_LIMIT, "payload too large");
      check(
          a.visited().length <= MAX_VISITED && a.stack().length <= MAX_STACK,
          "anycast lists too long");
      b.put(ANYCAST);
      a.topic().id().write(b);
      b.putLong(a.anycastId());
      a.origin().write(b);
      b.put((byte) a.visited().length);
      for (Id id : a.visited()) {
        id.write(b);
      }
      b.put((byte) a.stack().length);
      for (NodeHandle h : a.stack()) {
        h.write(b);
      }
      b.putInt(a.payload().length).put(a.payload());
    } else if (m instanceof Probe p) {
      b.put(PROBE);
      p.topic().id().write(b);
      b.putInt(p.nonce());
    } else if (m instanceof ProbeReply r) {
      b.put(PROBE_REPLY);
      r.topic().id().write(b);
      b.putInt(r.nonce()).putInt(r.rootDelayMillis());
    } else if (m instanceof AnycastResult r) {
      b.put(ANYCAST_RESULT).putLong(r.anycastId()).put((byte) (r.accepted() ? 1 : 0));
    }
    return b.array();
  }

  private static int size(ScribeMessage m) {
    int body;
    if (m instanceof Join j) {
      body = Id.BYTES + 3 + 8 * j.seen().length;
    } else if (m instanceof JoinAck a) {
      body = Id.BYTES + 1 + handles(a.path());
    } else if (m instanceof JoinRedirect r) {
      body = Id.BYTES + 1 + handles(r.candidates());
    } else if (m instanceof Leave) {
      body = Id.BYTES;
    } else if (m instanceof Heartbeat h) {
      body = 10 + Id.BYTES * h.topics().length;
    } else if (m instanceof HeartbeatAck a) {
      body = 6 + 4 * a.status().length;
    } else if (m instanceof Publish p) {
      body = Id.BYTES + 12 + p.payload().length;
    } else if (m instanceof Data d) {
      body = Id.BYTES + 8 + d.publisher().encodedLength() + 2 + 4 + d.payload().length;
    } else if (m instanceof Anycast a) {
      body =
          Id.BYTES
              + 8
              + a.origin().encodedLength()
              + 1
              + Id.BYTES * a.visited().length
              + 1
              + handles(a.stack())
              + 4
              + a.payload().length;
    } else if (m instanceof Probe) {
      body = Id.BYTES + 4;
    } else if (m instanceof ProbeReply) {
      body = Id.BYTES + 8;
    } else {
      body = 9;
    }
    return 2 + body;
  }

  private static int handles(NodeHandle[] hs) {
    int n = 0;
    for (NodeHandle h : hs) {
      n += h.encodedLength();
    }
    return n;
  }

  private static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalArgumentException("cannot encode Scribe message: " + what);
    }
  }

  /**
   * Decodes one message.
   *
   * @throws MalformedFrameException on a wrong version, unknown type, a bound broken, truncation or
   *     trailing bytes
   */
  static ScribeMessage decode(byte[] bytes) throws MalformedFrameException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      MalformedFrameException.require(bytes.length >= 2, "Scribe message shorter than its header");
      byte version = in.get();
      MalformedFrameException.require(version == VERSION, "unsupported Scribe version " + version);
      byte type = in.get();
      ScribeMessage m =
          switch (type) {
            case JOIN -> {
              TopicId t = topic(in);
              boolean repair = flag(in);
              int redirects = in.get() & 0xFF;
              long[] seen = new long[count(in.get() & 0xFF, MAX_SEEN, 8, in, "seen ids")];
              for (int i = 0; i < seen.length; i++) {
                seen[i] = in.getLong();
              }
              yield new Join(t, repair, seen, redirects);
            }
            case JOIN_ACK -> {
              TopicId t = topic(in);
              NodeHandle[] path =
                  new NodeHandle[count(in.get() & 0xFF, MAX_PATH, Id.BYTES + 1, in, "path")];
              for (int i = 0; i < path.length; i++) {
                path[i] = NodeHandle.read(in);
              }
              yield new JoinAck(t, path);
            }
            case JOIN_REDIRECT -> {
              TopicId t = topic(in);
              NodeHandle[] c =
                  new NodeHandle
                      [count(in.get() & 0xFF, MAX_CANDIDATES, Id.BYTES + 1, in, "candidates")];
              for (int i = 0; i < c.length; i++) {
                c[i] = NodeHandle.read(in);
              }
              yield new JoinRedirect(t, c);
            }
            case LEAVE -> new Leave(topic(in));
            case HEARTBEAT -> {
              int nonce = in.getInt();
              int rtt = in.getInt();
              TopicId[] topics =
                  new TopicId
                      [count(in.getShort() & 0xFFFF, MAX_HEARTBEAT_TOPICS, Id.BYTES, in, "topics")];
              for (int i = 0; i < topics.length; i++) {
                topics[i] = topic(in);
              }
              yield new Heartbeat(nonce, rtt, topics);
            }
            case HEARTBEAT_ACK -> {
              int nonce = in.getInt();
              int[] status =
                  new int[count(in.getShort() & 0xFFFF, MAX_HEARTBEAT_TOPICS, 4, in, "statuses")];
              for (int i = 0; i < status.length; i++) {
                status[i] = in.getInt();
              }
              yield new HeartbeatAck(nonce, status);
            }
            case PUBLISH -> {
              TopicId t = topic(in);
              long id = in.getLong();
              yield new Publish(t, id, payload(in));
            }
            case DATA -> {
              TopicId t = topic(in);
              long id = in.getLong();
              NodeHandle publisher = NodeHandle.read(in);
              int depth = in.get() & 0xFF;
              boolean up = flag(in);
              yield new Data(t, id, publisher, depth, up, payload(in));
            }
            case ANYCAST -> {
              TopicId t = topic(in);
              long id = in.getLong();
              NodeHandle origin = NodeHandle.read(in);
              Id[] visited = new Id[count(in.get() & 0xFF, MAX_VISITED, Id.BYTES, in, "visited")];
              for (int i = 0; i < visited.length; i++) {
                visited[i] = Id.read(in);
              }
              NodeHandle[] stack =
                  new NodeHandle[count(in.get() & 0xFF, MAX_STACK, Id.BYTES + 1, in, "stack")];
              for (int i = 0; i < stack.length; i++) {
                stack[i] = NodeHandle.read(in);
              }
              yield new Anycast(t, id, origin, visited, stack, payload(in));
            }
            case ANYCAST_RESULT -> new AnycastResult(in.getLong(), flag(in));
            case PROBE -> new Probe(topic(in), in.getInt());
            case PROBE_REPLY -> new ProbeReply(topic(in), in.getInt(), in.getInt());
            default -> throw new MalformedFrameException("unknown Scribe message type " + type);
          };
      MalformedFrameException.require(
          !in.hasRemaining(), in.remaining() + " trailing bytes after a Scribe message");
      return m;
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated Scribe message");
    }
  }

  private static TopicId topic(ByteBuffer in) {
    return TopicId.of(Id.read(in));
  }

  private static boolean flag(ByteBuffer in) throws MalformedFrameException {
    byte f = in.get();
    MalformedFrameException.require(f == 0 || f == 1, "flag byte must be 0 or 1: " + f);
    return f == 1;
  }

  private static int count(int n, int max, int minBytesEach, ByteBuffer in, String what)
      throws MalformedFrameException {
    MalformedFrameException.require(n <= max, what + ": " + n + " exceeds the limit " + max);
    MalformedFrameException.require(
        (long) n * minBytesEach <= in.remaining(), what + ": truncated");
    return n;
  }

  private static byte[] payload(ByteBuffer in) throws MalformedFrameException {
    int n = in.getInt();
    MalformedFrameException.require(
        n >= 0 && n <= ScribeConfig.PAYLOAD_LIMIT,
        "payload length " + n + " outside 0.." + ScribeConfig.PAYLOAD_LIMIT);
    MalformedFrameException.require(n <= in.remaining(), "payload truncated");
    byte[] p = new byte[n];
    in.get(p);
    return p;
  }
}
