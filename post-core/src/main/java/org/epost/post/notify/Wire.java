package org.epost.post.notify;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.epost.overlay.api.Id;
import org.epost.overlay.api.MalformedFrameException;
import org.epost.overlay.api.NodeHandle;

/**
 * The pending store's messages on the overlay (version 1). Every decode is bounded: item bytes by
 * {@link NotifyConfig#SEALED_LIMIT}, lists by the store's per-recipient bound.
 *
 * <pre>
 * DEPOSIT   (routed to the inbox key) item id 16, token 16, expires 8, sealed
 * REPLICATE (direct, root/peer to replica) inbox 20, item id, token, expires, [sender handle], sealed
 * STORED    (direct, storer to depositor) inbox, item id, replica-set size 1, tombstoned 1
 * REFUSED   (direct, storer to depositor) inbox, item id, reason 1
 * FETCH     (routed) signed request        FETCH_FWD (direct, root to replica) inbox, handle, request
 * ITEMS     (direct, storer to requester) inbox, more 1, count 2, (item id, sealed)*
 * ACK       (routed) signed request        ACK_FWD (direct) inbox, request
 * DIGEST    (direct, storer to storer) inbox, count 2, item id*
 * PULL      (direct, storer to storer) inbox, count 2, item id*
 * </pre>
 */
final class Wire {
  static final int VERSION = 1;
  static final int DEPOSIT = 1;
  static final int REPLICATE = 2;
  static final int STORED = 3;
  static final int REFUSED = 4;
  static final int FETCH = 5;
  static final int FETCH_FWD = 6;
  static final int ITEMS = 7;
  static final int ACK = 8;
  static final int ACK_FWD = 9;
  static final int DIGEST = 10;
  static final int PULL = 11;

  static final int MAX_REQUEST = 8 * 1024;
  static final int MAX_LIST = 4096;

  private Wire() {}

  /** One item as it travels. */
  record Item(byte[] id, byte[] token, long expiresAt, byte[] sealed) {}

  /** A decoded message; fields not used by its type are null or zero. */
  record Msg(
      int type,
      Id inbox,
      Item item,
      NodeHandle handle,
      int small,
      int flag,
      byte[] request,
      List<Item> items,
      List<byte[]> ids) {}

  static byte[] deposit(Item it) {
    ByteBuffer b = start(DEPOSIT, 64 + it.sealed().length);
    b.put(it.id()).put(it.token()).putLong(it.expiresAt());
    putBytes(b, it.sealed());
    return finish(b);
  }

  static byte[] replicate(Id inbox, Item it, NodeHandle sender) {
    int extra = sender == null ? 0 : sender.encodedLength();
    ByteBuffer b = start(REPLICATE, 96 + extra + it.sealed().length);
    inbox.write(b);
    b.put(it.id()).put(it.token()).putLong(it.expiresAt());
    b.put((byte) (sender == null ? 0 : 1));
    if (sender != null) {
      sender.write(b);
    }
    putBytes(b, it.sealed());
    return finish(b);
  }

  static byte[] stored(Id inbox, byte[] itemId, int setSize, boolean tombstoned) {
    ByteBuffer b = start(STORED, 48);
    inbox.write(b);
    b.put(itemId).put((byte) setSize).put((byte) (tombstoned ? 1 : 0));
    return finish(b);
  }

  static byte[] refused(Id inbox, byte[] itemId, int reason) {
    ByteBuffer b = start(REFUSED, 48);
    inbox.write(b);
    b.put(itemId).put((byte) reason);
    return finish(b);
  }

  static byte[] request(int type, byte[] request) {
    ByteBuffer b = start(type, 8 + request.length);
    putBytes(b, request);
    return finish(b);
  }

  static byte[] fetchForward(Id inbox, NodeHandle requester, byte[] request) {
    ByteBuffer b = start(FETCH_FWD, 32 + requester.encodedLength() + request.length);
    inbox.write(b);
    requester.write(b);
    putBytes(b, request);
    return finish(b);
  }

  static byte[] ackForward(Id inbox, byte[] request) {
    ByteBuffer b = start(ACK_FWD, 32 + request.length);
    inbox.write(b);
    putBytes(b, request);
    return finish(b);
  }

  static byte[] items(Id inbox, boolean more, List<Item> items) {
    int size = 32;
    for (Item it : items) {
      size += 24 + it.sealed().length;
    }
    ByteBuffer b = start(ITEMS, size);
    inbox.write(b);
    b.put((byte) (more ? 1 : 0)).putShort((short) items.size());
    for (Item it : items) {
      b.put(it.id());
      putBytes(b, it.sealed());
    }
    return finish(b);
  }

  static byte[] ids(int type, Id inbox, List<byte[]> ids) {
    ByteBuffer b = start(type, 32 + ids.size() * Keys.ITEM_ID);
    inbox.write(b);
    b.putShort((short) ids.size());
    for (byte[] id : ids) {
      b.put(id);
    }
    return finish(b);
  }

  static Msg decode(byte[] bytes) throws MalformedFrameException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    need(b, 2);
    MalformedFrameException.require((b.get() & 0xFF) == VERSION, "unknown notify version");
    int type = b.get() & 0xFF;
    Msg m;
    switch (type) {
      case DEPOSIT -> {
        need(b, 40);
        byte[] id = take(b, Keys.ITEM_ID);
        byte[] token = take(b, Keys.TOKEN);
        long expires = b.getLong();
        m =
            new Msg(
                type, null, new Item(id, token, expires, sealed(b)), null, 0, 0, null, null, null);
      }
      case REPLICATE -> {
        Id inbox = inbox(b);
        need(b, 41);
        byte[] id = take(b, Keys.ITEM_ID);
        byte[] token = take(b, Keys.TOKEN);
        long expires = b.getLong();
        NodeHandle sender = b.get() == 1 ? NodeHandle.read(b) : null;
        m =
            new Msg(
                type,
                inbox,
                new Item(id, token, expires, sealed(b)),
                sender,
                0,
                0,
                null,
                null,
                null);
      }
      case STORED, REFUSED -> {
        Id inbox = inbox(b);
        need(b, Keys.ITEM_ID + (type == STORED ? 2 : 1));
        byte[] id = take(b, Keys.ITEM_ID);
        int small = b.get() & 0xFF;
        int flag = type == STORED ? b.get() & 0xFF : 0;
        m = new Msg(type, inbox, new Item(id, null, 0, null), null, small, flag, null, null, null);
      }
      case FETCH, ACK -> m = new Msg(type, null, null, null, 0, 0, request(b), null, null);
      case FETCH_FWD -> {
        Id inbox = inbox(b);
        NodeHandle h = NodeHandle.read(b);
        m = new Msg(type, inbox, null, h, 0, 0, request(b), null, null);
      }
      case ACK_FWD -> {
        Id inbox = inbox(b);
        m = new Msg(type, inbox, null, null, 0, 0, request(b), null, null);
      }
      case ITEMS -> {
        Id inbox = inbox(b);
        need(b, 3);
        int more = b.get() & 0xFF;
        int n = b.getShort() & 0xFFFF;
        MalformedFrameException.require(n <= MAX_LIST, "too many items");
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          need(b, Keys.ITEM_ID);
          byte[] id = take(b, Keys.ITEM_ID);
          items.add(new Item(id, null, 0, sealed(b)));
        }
        m = new Msg(type, inbox, null, null, 0, more, null, items, null);
      }
      case DIGEST, PULL -> {
        Id inbox = inbox(b);
        need(b, 2);
        int n = b.getShort() & 0xFFFF;
        MalformedFrameException.require(n <= MAX_LIST, "too many ids");
        need(b, n * Keys.ITEM_ID);
        List<byte[]> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ids.add(take(b, Keys.ITEM_ID));
        }
        m = new Msg(type, inbox, null, null, 0, 0, null, null, ids);
      }
      default -> throw new MalformedFrameException("unknown notify message type " + type);
    }
    MalformedFrameException.require(!b.hasRemaining(), "trailing bytes");
    return m;
  }

  private static ByteBuffer start(int type, int capacity) {
    ByteBuffer b = ByteBuffer.allocate(capacity + 8);
    b.put((byte) VERSION).put((byte) type);
    return b;
  }

  private static byte[] finish(ByteBuffer b) {
    byte[] out = new byte[b.position()];
    b.flip();
    b.get(out);
    return out;
  }

  private static void putBytes(ByteBuffer b, byte[] v) {
    b.putShort((short) v.length);
    b.put(v);
  }

  private static Id inbox(ByteBuffer b) throws MalformedFrameException {
    need(b, Id.BYTES);
    return Id.read(b);
  }

  private static byte[] sealed(ByteBuffer b) throws MalformedFrameException {
    need(b, 2);
    int len = b.getShort() & 0xFFFF;
    MalformedFrameException.require(len <= NotifyConfig.SEALED_LIMIT, "item too large");
    need(b, len);
    return take(b, len);
  }

  private static byte[] request(ByteBuffer b) throws MalformedFrameException {
    need(b, 2);
    int len = b.getShort() & 0xFFFF;
    MalformedFrameException.require(len <= MAX_REQUEST, "request too large");
    need(b, len);
    return take(b, len);
  }

  private static byte[] take(ByteBuffer b, int n) {
    byte[] out = new byte[n];
    b.get(out);
    return out;
  }

  private static void need(ByteBuffer b, int n) throws MalformedFrameException {
    MalformedFrameException.require(b.remaining() >= n, "truncated notify message");
  }
}
