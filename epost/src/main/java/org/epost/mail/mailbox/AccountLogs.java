package org.epost.mail.mailbox;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import org.epost.imap.api.MailboxListener;
import org.epost.imap.api.Registration;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailException.Kind;
import org.epost.mail.api.StoredMail;
import org.epost.mail.message.MailFailures;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogWriter;
import org.epost.post.api.MessageRef;
import org.epost.post.api.StoreException;

/**
 * An account's logs (ADR 0110): the folder-list log and one log per folder, each a {@link Slot}
 * with its state, its writer and the operations handed to the writer; the account's lock that
 * guards every state; appending (operations built under the lock on the loop, applied when the
 * writer acknowledges them), loading, and telling watchers of changes.
 *
 * <p>Threading: as {@link PostAccount} says. The lock is a leaf lock, never held while calling the
 * ring or a listener; calls cross onto the node's loop through {@link #onLoop}.
 */
final class AccountLogs {
  private static final System.Logger LOG = System.getLogger(AccountLogs.class.getName());

  final Object lock = new Object();
  final Slot folderList;
  final Map<String, Slot> folders = new LinkedHashMap<>(); // by folder id; under lock
  private final AccountServices services;
  private final MailboxConfig config;
  private final ExecutorService executor;
  private final Map<String, List<MailboxListener>> watchers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  AccountLogs(AccountServices services, MailboxConfig config, ExecutorService executor) {
    this.services = services;
    this.config = config;
    this.executor = executor;
    this.folderList = new Slot(PostAccount.FOLDER_LIST_LOG, new FolderListState());
  }

  /** The folder list's state (under {@link #lock}). */
  FolderListState folderList() {
    return (FolderListState) folderList.state;
  }

  boolean closed() {
    return closed;
  }

  /** Opens the folder-list log's writer and reads the log (on the loop). */
  CompletionStage<Void> loadFolderList() {
    return onLoop(() -> load(folderList));
  }

  /** One log of the account: its state, its writer and the operations handed to the writer. */
  final class Slot implements LogApplication {
    final String logName;
    final LoggedState state;
    final List<byte[]> inFlight = new ArrayList<>(); // under lock
    LogWriter writer; // loop only
    long reservedUid; // under lock: highest UID handed out this session

    Slot(String logName, LoggedState state) {
      this.logName = logName;
      this.state = state;
    }

    @Override
    public void catchUp(LogContents missed) {
      Effects fx = new Effects();
      synchronized (lock) {
        state.applyContents(missed, false, fx);
      }
      tell(fx);
    }

    @Override
    public byte[] snapshot(long sequence) {
      synchronized (lock) {
        long need = sequence - state.sequence;
        if (need < 0 || need > inFlight.size()) {
          throw new IllegalStateException(
              "the state of "
                  + logName
                  + " covers "
                  + state.sequence
                  + " operations and "
                  + inFlight.size()
                  + " are in flight; the writer asks for "
                  + sequence
                  + ": reloading from the log");
        }
        return state.snapshot(inFlight.subList(0, (int) need));
      }
    }
  }

  /** On the loop: opens the slot's writer and reads its log from the ring. */
  private CompletionStage<Void> load(Slot slot) {
    slot.writer = services.post().logs().writer(slot.logName, slot);
    return slot.writer
        .open()
        .thenCompose(
            seq -> {
              long known;
              synchronized (lock) {
                known = slot.state.sequence;
              }
              return services.post().logs().read(slot.writer.id(), known);
            })
        .thenAccept(
            c -> {
              Effects fx = new Effects();
              synchronized (lock) {
                slot.state.applyContents(c, false, fx);
              }
            });
  }

  CompletionStage<Void> loadFolders() {
    List<FolderListState.Folder> list;
    synchronized (lock) {
      list = new ArrayList<>(((FolderListState) folderList.state).byId.values());
    }
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (FolderListState.Folder f : list) {
      all.add(slotOf(f.id()).thenApply(s -> (Void) null).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
  }

  /**
   * Gathers every loaded folder's records now, while the account opens, so that the first SELECT
   * after a start finds its folder's listing ready (ADR 0141).
   */
  void prepareViews() {
    synchronized (lock) {
      for (Slot s : folders.values()) {
        if (s.state instanceof FolderState f) {
          f.listing();
        }
      }
    }
  }

  /** The loaded slot of folder {@code id}, loading it if needed. */
  CompletionStage<Slot> slotOf(String id) {
    synchronized (lock) {
      Slot s = folders.get(id);
      if (s != null && s.writer != null) {
        return CompletableFuture.completedFuture(s);
      }
    }
    return onLoop(
        () -> {
          Slot s;
          synchronized (lock) {
            s = folders.get(id);
            if (s == null) {
              s = new Slot(logName(id), new FolderState(id, config.expungeHistory()));
              folders.put(id, s);
            }
          }
          if (s.writer != null) {
            return CompletableFuture.completedFuture(s);
          }
          Slot slot = s;
          return load(slot).thenApply(x -> slot);
        });
  }

  static String logName(String folderId) {
    return "f."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(HexFormat.of().parseHex(folderId));
  }

  /**
   * Hops onto the loop, builds operations under the lock (so UIDs are assigned in append order),
   * hands them to the writer, and applies them when acknowledged. Completes with the number of the
   * last operation, or -1 if {@code build} produced none. Callable from any thread.
   */
  CompletionStage<Long> append(Slot slot, Supplier<List<byte[]>> build, boolean live) {
    return onLoop(() -> appendOnLoop(slot, build, live));
  }

  private CompletionStage<Long> appendOnLoop(
      Slot slot, Supplier<List<byte[]>> build, boolean live) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new MailException(Kind.CLOSED, "the account is closed"));
    }
    List<byte[]> ops;
    synchronized (lock) {
      ops = build.get();
      if (ops.isEmpty()) {
        return CompletableFuture.completedFuture(-1L);
      }
      slot.inFlight.addAll(ops);
    }
    return slot.writer
        .append(ops)
        .handle(
            (n, t) -> {
              synchronized (lock) {
                for (byte[] op : ops) {
                  slot.inFlight.removeIf(o -> o == op);
                }
              }
              if (t != null) {
                throw MailFailures.toMail("writing " + slot.logName, t);
              }
              return n;
            })
        .thenCompose(n -> acknowledged(slot, ops, n, live));
  }

  private CompletionStage<Long> acknowledged(Slot slot, List<byte[]> ops, long last, boolean live) {
    long first = last - ops.size() + 1;
    Effects fx = new Effects();
    boolean gap;
    synchronized (lock) {
      gap = first > slot.state.sequence;
      if (!gap && first == slot.state.sequence) {
        for (byte[] op : ops) {
          slot.state.applyBytes(op, live, fx);
        }
      }
    }
    if (!gap) {
      carryOut(fx);
      return CompletableFuture.completedFuture(last);
    }
    // Operations of an earlier, unacknowledged append made it into the log before these: read
    // them (and these) back from the ring (ADR 0110).
    long known;
    synchronized (lock) {
      known = slot.state.sequence;
    }
    return services
        .post()
        .logs()
        .read(slot.writer.id(), known)
        .thenApply(
            c -> {
              Effects more = new Effects();
              synchronized (lock) {
                slot.state.applyContents(c, true, more);
              }
              carryOut(more);
              return last;
            });
  }

  /** On the loop: holds and releases; then tells watchers on the executor. */
  private void carryOut(Effects fx) {
    for (StoredMail m : fx.holds) {
      try {
        services.post().store().hold(m.ref(), m.expiryWallMillis());
      } catch (StoreException e) {
        // the ledger is full: the message stays filed, its lease is not renewed from here
      }
    }
    for (MessageRef r : fx.releases) {
      services.post().store().release(r);
    }
    tell(fx);
  }

  private void tell(Effects fx) {
    if (fx.changes.isEmpty() || closed) {
      return;
    }
    List<Effects.Change> changes = List.copyOf(fx.changes);
    try {
      executor.execute(
          () -> {
            for (Effects.Change c : changes) {
              String name = nameOf(c.folderId());
              for (MailboxListener l : watchers.getOrDefault(c.folderId(), List.of())) {
                try {
                  l.mailboxChanged(name == null ? "" : name, c.change());
                } catch (RuntimeException e) {
                  // a listener's failure is its own: the other watchers are still told
                  LOG.log(System.Logger.Level.WARNING, "a mailbox watcher failed", e);
                }
              }
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closing
    }
  }

  <T> CompletableFuture<T> onLoop(Supplier<CompletionStage<T>> work) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new MailException(Kind.CLOSED, "the account is closed"));
    }
    CompletableFuture<T> f = services.bridge().call(work::get, executor);
    return f.handle(
        (v, t) -> {
          if (t != null) {
            throw MailFailures.toMail("the ring", t);
          }
          return v;
        });
  }

  private String nameOf(String folderId) {
    synchronized (lock) {
      FolderListState.Folder f = ((FolderListState) folderList.state).byId.get(folderId);
      return f == null ? null : f.name();
    }
  }

  FolderListState.Folder folder(String name) {
    synchronized (lock) {
      FolderListState.Folder f =
          ((FolderListState) folderList.state).byName(PostAccount.canonical(name));
      if (f == null) {
        throw new MailException(Kind.NONEXISTENT, "no folder " + name);
      }
      return f;
    }
  }

  FolderState loaded(String name) {
    FolderListState.Folder f = folder(name);
    synchronized (lock) {
      Slot s = folders.get(f.id());
      if (s == null || s.writer == null) {
        throw new MailException(Kind.UNAVAILABLE, "folder " + name + " is not loaded yet");
      }
      return (FolderState) s.state;
    }
  }

  CompletionStage<Slot> slot(String name) {
    try {
      return slotOf(folder(name).id());
    } catch (MailException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Tells {@code listener} of every change to {@code folder} (by anyone) until closed. */
  Registration watch(String folder, MailboxListener listener) {
    String id = folder(folder).id();
    watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
    return () -> {
      List<MailboxListener> l = watchers.get(id);
      if (l != null) {
        l.remove(listener);
      }
    };
  }

  /**
   * Closes every writer (waiting at most the call timeout) and stops telling watchers; what is
   * appended afterwards fails with {@code CLOSED}.
   */
  void close() {
    List<Slot> slots;
    synchronized (lock) {
      slots = new ArrayList<>(folders.values());
      slots.add(folderList);
    }
    try {
      services
          .bridge()
          .call(
              () -> {
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (Slot s : slots) {
                  if (s.writer != null) {
                    all.add(s.writer.close().toCompletableFuture().exceptionally(t -> null));
                  }
                }
                return CompletableFuture.allOf(all.toArray(new CompletableFuture[0]));
              },
              Runnable::run)
          .get(config.callTimeoutMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // the node is gone or slow: its next session takes the logs over after the quiet period
    }
    closed = true;
    watchers.clear();
  }
}
