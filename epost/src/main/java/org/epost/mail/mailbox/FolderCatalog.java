package org.epost.mail.mailbox;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailException.Kind;
import org.epost.post.api.MessageRef;

/**
 * The account's folders as its folder-list log holds them (ADR 0110): the special folders made at
 * the first start, creation with missing parents, rename of a folder and its children in one write,
 * deletion (the folder's messages released), subscriptions. Renaming INBOX moves its messages into
 * a new folder instead.
 */
final class FolderCatalog {
  static final List<String[]> SPECIAL =
      List.of(
          new String[] {"INBOX", ""},
          new String[] {"Sent", "Sent"},
          new String[] {"Drafts", "Drafts"},
          new String[] {"Trash", "Trash"},
          new String[] {"Junk", "Junk"},
          new String[] {"Archive", "Archive"});

  private final AccountLogs logs;
  private final AccountServices services;
  private final MailboxConfig config;
  private final SecureRandom random;
  private final FolderMessages messages;

  FolderCatalog(
      AccountLogs logs,
      AccountServices services,
      MailboxConfig config,
      SecureRandom random,
      FolderMessages messages) {
    this.logs = logs;
    this.services = services;
    this.config = config;
    this.random = random;
    this.messages = messages;
  }

  CompletionStage<Void> createSpecialFolders() {
    return logs.append(
            logs.folderList,
            () -> {
              FolderListState s = logs.folderList();
              List<byte[]> ops = new ArrayList<>();
              for (String[] sp : SPECIAL) {
                if (s.byName(sp[0]) == null) {
                  ops.add(Ops.encode(newFolder(sp[0], sp[1])));
                }
              }
              return ops;
            },
            false)
        .thenApply(n -> null);
  }

  private Ops.Create newFolder(String name, String specialUse) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    long uidValidity = 1 + (random.nextLong() >>> 33); // positive, 31 bits
    return new Ops.Create(id, name, specialUse, uidValidity);
  }

  /** Every folder, in creation order. */
  List<FolderInfo> folders() {
    synchronized (logs.lock) {
      List<FolderInfo> out = new ArrayList<>();
      for (FolderListState.Folder f : logs.folderList().byId.values()) {
        out.add(new FolderInfo(f.name(), f.specialUse(), f.uidValidity()));
      }
      return out;
    }
  }

  /** The subscribed names. */
  Set<String> subscriptions() {
    synchronized (logs.lock) {
      return Set.copyOf(logs.folderList().subscribed);
    }
  }

  /** Creates {@code name} and any missing parents. */
  CompletionStage<Void> createFolder(String name) {
    String n = PostAccount.canonical(name);
    return logs.append(
            logs.folderList,
            () -> {
              FolderListState s = logs.folderList();
              if (s.byName(n) != null) {
                throw new MailException(Kind.ALREADY_EXISTS, "folder " + n + " exists");
              }
              if (s.byId.size() >= config.maxFolders()) {
                throw new MailException(Kind.LIMIT, "at most " + config.maxFolders() + " folders");
              }
              List<byte[]> ops = new ArrayList<>();
              String[] parts = n.split("/", -1);
              StringBuilder prefix = new StringBuilder();
              for (int i = 0; i < parts.length; i++) {
                prefix.append(i == 0 ? "" : "/").append(parts[i]);
                String p = PostAccount.canonical(prefix.toString());
                if (!parts[i].isEmpty() && s.byName(p) == null) {
                  ops.add(Ops.encode(newFolder(p, "")));
                }
              }
              return ops;
            },
            true)
        .thenCompose(x -> logs.loadFolders());
  }

  /** Deletes {@code name} (not INBOX) and releases its messages. Children stay. */
  CompletionStage<Void> deleteFolder(String name) {
    FolderListState.Folder f = logs.folder(name);
    if (f.name().equals("INBOX")) {
      return CompletableFuture.failedFuture(
          new MailException(Kind.CANNOT, "INBOX cannot be deleted"));
    }
    return logs.slotOf(f.id())
        .thenCompose(
            slot ->
                logs.append(
                        logs.folderList,
                        () -> List.of(Ops.encode(new Ops.Delete(HexFormat.of().parseHex(f.id())))),
                        true)
                    .thenCompose(
                        n -> {
                          List<MessageRef> refs = new ArrayList<>();
                          synchronized (logs.lock) {
                            for (FolderState.Entry e :
                                ((FolderState) slot.state).messages.values()) {
                              refs.add(e.mail().ref());
                            }
                            logs.folders.remove(f.id());
                          }
                          return logs.onLoop(
                              () -> {
                                for (MessageRef r : refs) {
                                  services.post().store().release(r);
                                }
                                return slot.writer.close().exceptionally(t -> null);
                              });
                        }));
  }

  /** Renames {@code from} and its children to {@code to}. INBOX: its messages move. */
  CompletionStage<Void> renameFolder(String from, String to) {
    String src = PostAccount.canonical(from);
    String dst = PostAccount.canonical(to);
    FolderListState.Folder f = logs.folder(src);
    if (src.equals("INBOX")) {
      return createFolder(dst)
          .thenCompose(
              x -> {
                List<Long> uids;
                synchronized (logs.lock) {
                  uids =
                      new ArrayList<>(
                          ((FolderState) logs.folders.get(f.id()).state).messages.keySet());
                }
                return uids.isEmpty()
                    ? CompletableFuture.completedFuture(null)
                    : messages.move("INBOX", uids, dst).thenApply(r -> null);
              });
    }
    return logs.append(
            logs.folderList,
            () -> {
              FolderListState s = logs.folderList();
              if (s.byName(dst) != null) {
                throw new MailException(Kind.ALREADY_EXISTS, "folder " + dst + " exists");
              }
              List<byte[]> ops = new ArrayList<>();
              for (FolderListState.Folder c : s.byId.values()) {
                if (c.name().equals(src) || c.name().startsWith(src + "/")) {
                  String renamed = dst + c.name().substring(src.length());
                  ops.add(Ops.encode(new Ops.Rename(HexFormat.of().parseHex(c.id()), renamed)));
                }
              }
              return ops;
            },
            true)
        .thenApply(n -> null);
  }

  /** Adds or removes {@code name} from the subscriptions. */
  CompletionStage<Void> subscribe(String name, boolean on) {
    String n = PostAccount.canonical(name);
    return logs.append(
            logs.folderList,
            () ->
                logs.folderList().subscribed.contains(n) == on
                    ? List.of()
                    : List.of(Ops.encode(new Ops.Subscribe(n, on))),
            true)
        .thenApply(x -> null);
  }
}
