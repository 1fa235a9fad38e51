package org.epost.overlay.pastry;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.KeyBasedRouter;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeEnvironment.HandleInterner;
import org.epost.overlay.api.NodeHandle;
import org.epost.overlay.api.Transport;

/**
 * Versioned binary codec of overlay frames. No Java serialization; every length read from the wire
 * is checked against an explicit bound before anything is allocated.
 *
 * <pre>
 * header   version u8 | type u8 | appId u16 | sender handle
 * handle   id (20) | hostLen u8 (0/4/16) | host | port i32
 * ROUTE    msgId i64 | key (20) | source handle | hops u8 | payloadLen i32 | payload
 * JOIN     msgId i64 | key (20) | source handle | hops u8 | rows
 * rows     count u8 | count x (row u8 | n u8 | n handles)
 * ACK, RECEIPT          msgId i64
 * DIRECT                payloadLen i32 | payload
 * JOIN_REPLY            handles | rows
 * ANNOUNCE(_ACK), HEARTBEAT   handles
 * handles  n u8 | n handles
 * PING, PONG            echo i64 | flags u8 (bit 0: the pinger is a newcomer; bit 1, PONG only:
 *                       measure me back) | [measure i64 if bit 1: echo it in a plain PONG]
 * ROW_REQUEST             row u8 | 0 u8
 * ROW_REPLY               row u8 | n u8 | n x (handle | rtt u16)
 * FAILED                handle
 * </pre>
 */
final class MessageCodec {
  /** Most handles in a leaf-set list. */
  static final int MAX_HANDLES = 64;

  /** Most entries in a routing-table row (2^b). */
  static final int MAX_ROW = 16;

  /** Most rows in a join message. */
  static final int MAX_ROWS = Id.DIGITS;

  /** A routed message is dropped after this many hops (protects against loops). */
  static final int MAX_HOPS = 64;

  private MessageCodec() {}

  static byte[] encode(NodeHandle sender, Message m) {
    int appId = 0;
    int size = 4 + sender.encodedLength();
    if (m instanceof Message.Routed) {
      Message.Routed r = (Message.Routed) m;
      appId = r.appId;
      size += 8 + Id.BYTES + r.source.encodedLength() + 1;
      size += r.type == WireFormat.ROUTE ? 4 + r.payload.length : rowsLength(r.rows);
    } else if (m instanceof Message.Ack) {
      appId = ((Message.Ack) m).appId();
      size += 8;
    } else if (m instanceof Message.Direct) {
      appId = ((Message.Direct) m).appId();
      size += 4 + ((Message.Direct) m).payload().length;
    } else if (m instanceof Message.HandleList) {
      Message.HandleList h = (Message.HandleList) m;
      size += handlesLength(h.handles());
      if (h.type() == WireFormat.JOIN_REPLY) {
        size += rowsLength(h.rows());
      }
    } else if (m instanceof Message.Probe) {
      size += ((Message.Probe) m).measureMillis() >= 0 ? 17 : 9;
    } else if (m instanceof Message.Row) {
      size +=
          1 + handlesLength(((Message.Row) m).entries()) + 2 * ((Message.Row) m).entries().size();
    } else if (m instanceof Message.Failed) {
      size += ((Message.Failed) m).dead().encodedLength();
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.put((byte) WireFormat.VERSION).put((byte) m.type()).putShort((short) appId);
    sender.write(out);
    if (m instanceof Message.Routed) {
      Message.Routed r = (Message.Routed) m;
      out.putLong(r.msgId);
      r.key.write(out);
      r.source.write(out);
      out.put((byte) r.hops);
      if (r.type == WireFormat.ROUTE) {
        out.putInt(r.payload.length).put(r.payload);
      } else {
        writeRows(out, r.rows);
      }
    } else if (m instanceof Message.Ack) {
      out.putLong(((Message.Ack) m).msgId());
    } else if (m instanceof Message.Direct) {
      byte[] p = ((Message.Direct) m).payload();
      out.putInt(p.length).put(p);
    } else if (m instanceof Message.HandleList) {
      Message.HandleList h = (Message.HandleList) m;
      writeHandles(out, h.handles());
      if (h.type() == WireFormat.JOIN_REPLY) {
        writeRows(out, h.rows());
      }
    } else if (m instanceof Message.Probe) {
      Message.Probe p = (Message.Probe) m;
      boolean measure = p.measureMillis() >= 0;
      out.putLong(p.echoMillis()).put((byte) ((p.newcomer() ? 1 : 0) | (measure ? 2 : 0)));
      if (measure) {
        out.putLong(p.measureMillis());
      }
    } else if (m instanceof Message.Row) {
      Message.Row r = (Message.Row) m;
      out.put((byte) r.row());
      out.put((byte) r.entries().size());
      for (int i = 0; i < r.entries().size(); i++) {
        r.entries().get(i).write(out);
        out.putShort((short) Math.min(r.rtts()[i], RoutingTable.UNKNOWN_RTT));
      }
    } else if (m instanceof Message.Failed) {
      ((Message.Failed) m).dead().write(out);
    }
    return out.array();
  }

  /** A decoded frame: who sent it and what. */
  record Inbound(NodeHandle sender, Message message) {}

  /**
   * Decodes one frame.
   *
   * @throws MalformedFrameException on a wrong version, unknown type, a bound exceeded, a truncated
   *     frame or trailing bytes
   */
  static Inbound decode(byte[] frame, HandleInterner interner) throws MalformedFrameException {
    if (frame.length > Transport.MAX_FRAME_BYTES) {
      throw new MalformedFrameException("frame of " + frame.length + " bytes exceeds the maximum");
    }
    MalformedFrameException.require(frame.length >= 4, "frame shorter than its header");
    try {
      ByteBuffer in = ByteBuffer.wrap(frame);
      int version = in.get() & 0xFF;
      if (version != WireFormat.VERSION) {
        throw new MalformedFrameException("unsupported codec version " + version);
      }
      int type = in.get() & 0xFF;
      int appId = in.getShort() & 0xFFFF;
      NodeHandle sender = handle(in, interner);
      Message m;
      switch (type) {
        case WireFormat.ROUTE:
        case WireFormat.JOIN:
          {
            long msgId = in.getLong();
            Id key = Id.read(in);
            NodeHandle source = handle(in, interner);
            int hops = in.get() & 0xFF;
            if (hops > MAX_HOPS) {
              throw new MalformedFrameException("hop count " + hops + " exceeds " + MAX_HOPS);
            }
            if (type == WireFormat.ROUTE) {
              if (appId < KeyBasedRouter.FIRST_APPLICATION_ID) {
                throw new MalformedFrameException(
                    "routed message for reserved application " + appId);
              }
              m = new Message.Routed(type, msgId, key, source, hops, appId, payload(in), null);
            } else {
              MalformedFrameException.require(
                  key.equals(source.id()), "join key differs from joiner id");
              m = new Message.Routed(type, msgId, key, source, hops, 0, null, rows(in, interner));
            }
            break;
          }
        case WireFormat.ACK:
        case WireFormat.RECEIPT:
          m = new Message.Ack(type, in.getLong(), appId);
          break;
        case WireFormat.DIRECT:
          if (appId < KeyBasedRouter.FIRST_APPLICATION_ID) {
            throw new MalformedFrameException("direct message for reserved application " + appId);
          }
          m = new Message.Direct(appId, payload(in));
          break;
        case WireFormat.JOIN_REPLY:
          m = new Message.HandleList(type, handles(in, interner, MAX_HANDLES), rows(in, interner));
          break;
        case WireFormat.ANNOUNCE:
        case WireFormat.ANNOUNCE_ACK:
        case WireFormat.HEARTBEAT:
          m = new Message.HandleList(type, handles(in, interner, MAX_HANDLES), List.of());
          break;
        case WireFormat.PING:
        case WireFormat.PONG:
          long echo = in.getLong();
          int flags = in.get() & 0xFF;
          if (flags > 3 || (flags >= 2 && type != WireFormat.PONG)) {
            throw new MalformedFrameException("unknown probe flags " + flags);
          }
          long measure = Message.Probe.NO_MEASURE;
          if ((flags & 2) != 0) {
            measure = in.getLong();
            if (measure < 0) {
              throw new MalformedFrameException("negative probe clock " + measure);
            }
          }
          m = new Message.Probe(type, echo, (flags & 1) != 0, measure);
          break;
        case WireFormat.ROW_REQUEST:
        case WireFormat.ROW_REPLY:
          {
            int row = in.get() & 0xFF;
            if (row >= Id.DIGITS) {
              throw new MalformedFrameException("row " + row + " out of range");
            }
            int n = in.get() & 0xFF;
            if (n > MAX_ROW || (type == WireFormat.ROW_REQUEST && n != 0)) {
              throw new MalformedFrameException(
                  "row of " + n + " entries in a " + WireFormat.typeName(type));
            }
            List<NodeHandle> entries = new ArrayList<>(n);
            int[] rtts = new int[n];
            for (int i = 0; i < n; i++) {
              entries.add(handle(in, interner));
              rtts[i] = in.getShort() & 0x7FFF;
            }
            m = new Message.Row(type, row, entries, rtts);
            break;
          }
        case WireFormat.FAILED:
          m = new Message.Failed(handle(in, interner));
          break;
        default:
          throw new MalformedFrameException("unknown message type " + type);
      }
      if (in.hasRemaining()) {
        throw new MalformedFrameException(
            in.remaining() + " trailing bytes after a " + WireFormat.typeName(type));
      }
      return new Inbound(sender, m);
    } catch (BufferUnderflowException e) {
      throw new MalformedFrameException("truncated frame");
    }
  }

  private static NodeHandle handle(ByteBuffer in, HandleInterner interner)
      throws MalformedFrameException {
    return interner.read(in);
  }

  private static byte[] payload(ByteBuffer in) throws MalformedFrameException {
    int len = in.getInt();
    if (len < 0 || len > KeyBasedRouter.MAX_PAYLOAD_BYTES) {
      throw new MalformedFrameException("payload length " + len + " out of bounds");
    }
    MalformedFrameException.require(len <= in.remaining(), "payload longer than the frame");
    byte[] p = new byte[len];
    in.get(p);
    return p;
  }

  private static List<NodeHandle> handles(ByteBuffer in, HandleInterner interner, int max)
      throws MalformedFrameException {
    int n = in.get() & 0xFF;
    if (n > max) {
      throw new MalformedFrameException("list of " + n + " handles exceeds " + max);
    }
    if (n == 0) {
      return List.of();
    }
    List<NodeHandle> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(handle(in, interner));
    }
    return list;
  }

  private static List<Message.JoinRow> rows(ByteBuffer in, HandleInterner interner)
      throws MalformedFrameException {
    int n = in.get() & 0xFF;
    if (n > MAX_ROWS) {
      throw new MalformedFrameException(n + " rows exceed " + MAX_ROWS);
    }
    if (n == 0) {
      return List.of();
    }
    List<Message.JoinRow> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int row = in.get() & 0xFF;
      if (row >= Id.DIGITS) {
        throw new MalformedFrameException("row " + row + " out of range");
      }
      rows.add(new Message.JoinRow(row, handles(in, interner, MAX_ROW)));
    }
    return Collections.unmodifiableList(rows);
  }

  private static int handlesLength(List<NodeHandle> hs) {
    int n = 1;
    for (NodeHandle h : hs) {
      n += h.encodedLength();
    }
    return n;
  }

  private static int rowsLength(List<Message.JoinRow> rows) {
    int n = 1;
    for (Message.JoinRow r : rows) {
      n += 1 + handlesLength(r.entries());
    }
    return n;
  }

  private static void writeHandles(ByteBuffer out, List<NodeHandle> hs) {
    out.put((byte) hs.size());
    for (NodeHandle h : hs) {
      h.write(out);
    }
  }

  private static void writeRows(ByteBuffer out, List<Message.JoinRow> rows) {
    out.put((byte) rows.size());
    for (Message.JoinRow r : rows) {
      out.put((byte) r.row());
      writeHandles(out, r.entries());
    }
  }
}
