package org.epost.mail.mailbox;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.epost.imap.api.MailboxListener;

/** The account's folders and subscriptions as the folder-list log builds them. */
final class FolderListState extends LoggedState {
  /**
   * One folder: its id (hex of 16 bytes), current name, special use ("" for none) and UIDVALIDITY.
   */
  record Folder(String id, String name, String specialUse, long uidValidity) {}

  final Map<String, Folder> byId = new LinkedHashMap<>();
  final Set<String> subscribed = new TreeSet<>();

  Folder byName(String name) {
    for (Folder f : byId.values()) {
      if (f.name().equals(name)) {
        return f;
      }
    }
    return null;
  }

  @Override
  void clear() {
    byId.clear();
    subscribed.clear();
    sequence = 0;
  }

  @Override
  void apply(Object op, boolean live, Effects fx) {
    if (op instanceof Ops.Create c) {
      String id = HexFormat.of().formatHex(c.id());
      if (!byId.containsKey(id) && byName(c.name()) == null) {
        byId.put(id, new Folder(id, c.name(), c.specialUse(), c.uidValidity()));
      }
    } else if (op instanceof Ops.Rename r) {
      String id = HexFormat.of().formatHex(r.id());
      Folder f = byId.get(id);
      if (f != null && byName(r.name()) == null) {
        byId.put(id, new Folder(id, r.name(), f.specialUse(), f.uidValidity()));
      }
    } else if (op instanceof Ops.Delete d) {
      String id = HexFormat.of().formatHex(d.id());
      if (byId.remove(id) != null) {
        fx.changed(id, MailboxListener.Change.DELETED);
      }
    } else if (op instanceof Ops.Subscribe s) {
      if (s.on()) {
        subscribed.add(s.name());
      } else {
        subscribed.remove(s.name());
      }
    }
  }

  @Override
  void write(DataOutputStream out) throws IOException {
    out.writeInt(byId.size());
    for (Folder f : byId.values()) {
      Ops.text(out, f.id());
      Ops.text(out, f.name());
      Ops.text(out, f.specialUse());
      out.writeLong(f.uidValidity());
    }
    out.writeInt(subscribed.size());
    for (String s : subscribed) {
      Ops.text(out, s);
    }
  }

  @Override
  void read(DataInputStream in) throws IOException {
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      Folder f = new Folder(Ops.text(in), Ops.text(in), Ops.text(in), in.readLong());
      byId.put(f.id(), f);
    }
    int s = in.readInt();
    for (int i = 0; i < s; i++) {
      subscribed.add(Ops.text(in));
    }
  }
}
