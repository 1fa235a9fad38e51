package org.epost.mail.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.epost.imap.api.MailboxChanges;
import org.epost.imap.api.MailboxListener;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.api.Registration;
import org.epost.imap.api.TextSearch;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.AccountServices;
import org.epost.mail.api.MailAccount;
import org.epost.mail.api.MailException;
import org.epost.mail.api.MailException.Kind;
import org.epost.mail.api.StoredMail;
import org.epost.mail.message.BridgedRingStore;
import org.epost.mail.message.MailFailures;
import org.epost.mail.message.MessageCache;
import org.epost.mail.message.MessageLayout;
import org.epost.mail.message.MessageStorer;
import org.epost.mail.message.RangedReader;
import org.epost.mail.message.RingStore;
import org.epost.mail.message.StructurePrefix;
import org.epost.mail.search.TextIndex;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogContents;
import org.epost.post.api.LogWriter;
import org.epost.post.api.MessageRef;
import org.epost.post.api.StoreException;

/**
 * One user's mail on POST (ADR 0110): the folder-list log {@code folders} and one log per folder
 * {@code f.<id>}, their state in memory behind the account's lock, the metadata index on disk.
 *
 * <p>Threading: public methods may be called from any thread. POST calls cross onto the node's loop
 * through the bridge; operations are built (UIDs assigned) on the loop, in the order they are
 * appended, and applied to the state when the writer acknowledges them, also on the loop, under the
 * account's lock (a leaf lock, never held while calling the ring or a listener). Stages complete on
 * the account's executor; watchers are told there.
 */
public final class PostAccount implements MailAccount {
  static final String FOLDER_LIST_LOG = "folders";
  static final List<String[]> SPECIAL =
      List.of(
          new String[] {"INBOX", ""},
          new String[] {"Sent", "Sent"},
          new String[] {"Drafts", "Drafts"},
          new String[] {"Trash", "Trash"},
          new String[] {"Junk", "Junk"},
          new String[] {"Archive", "Archive"});

  private static final System.Logger LOG = System.getLogger(PostAccount.class.getName());

  private final AccountServices services;
  private final MailboxConfig config;
  private final ExecutorService executor;
  private final RingStore ring;
  private final MessageStorer storer;
  private final SecureRandom random = new SecureRandom();
  private final Object lock = new Object();
  private final Slot folderList;
  private final Map<String, Slot> folders = new LinkedHashMap<>(); // by folder id; under lock
  private final Map<String, List<MailboxListener>> watchers = new ConcurrentHashMap<>();
  private final MessageReads reads;
  private MetadataIndex index;
  private volatile TextIndex text;
  private volatile MessageCache cache;
  private volatile AccountIndexer indexer;
  private volatile boolean closed;

  /** Bytes of recent messages the account keeps in its encrypted local cache at most. */
  static final long CACHE_BYTES = 256L << 20;

  /** One log of the account: its state, its writer and the operations handed to the writer. */
  private final class Slot implements LogApplication {
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

  private PostAccount(AccountServices services, MailboxConfig config) {
    this.services = services;
    this.config = config;
    AtomicInteger n = new AtomicInteger();
    String user = services.certificate().address();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            config.executorThreads(),
            config.executorThreads(),
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(100_000),
            r -> {
              Thread t = new Thread(r, "mail-" + user + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    this.executor = pool;
    this.ring = new BridgedRingStore(services.bridge(), () -> services.post().store(), executor);
    this.reads = new MessageReads(ring, executor, config.callTimeoutMillis());
    this.storer =
        new MessageStorer(
            ring,
            services.accountDirectory().resolve("spool"),
            config.maxMessageBytes(),
            executor,
            random);
    this.folderList = new Slot(FOLDER_LIST_LOG, new FolderListState());
  }

  static CompletionStage<PostAccount> open(AccountServices services, MailboxConfig config) {
    PostAccount a = new PostAccount(services, config);
    return CompletableFuture.runAsync(a::openDisk, a.executor)
        .thenCompose(x -> a.onLoop(() -> a.load(a.folderList)))
        .thenCompose(x -> a.createSpecialFolders())
        .thenCompose(x -> a.loadFolders())
        .thenRun(
            () -> {
              AccountIndexer i = a.indexer;
              if (i != null) {
                i.rescan(); // what the full-text index lacks (all of it, if it was lost)
              }
            })
        .handle(
            (x, t) -> {
              if (t != null) {
                a.close();
                throw MailFailures.toMail("opening the account of " + a.address(), t);
              }
              return a;
            });
  }

  private void openDisk() {
    try {
      Path dir = services.accountDirectory();
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      Path spool = dir.resolve("spool");
      if (Files.isDirectory(spool)) {
        try (Stream<Path> left = Files.list(spool)) {
          for (Path p : (Iterable<Path>) left::iterator) {
            Files.deleteIfExists(p); // a crash's leftovers; unreadable without their key anyway
          }
        }
      }
      index =
          MetadataIndex.open(
              dir.resolve("index"),
              MetadataIndex.deriveKey(services.identity()),
              config.indexMaxEntries());
      byte[] key = TextIndex.deriveKey(services.identity());
      text = TextIndex.open(dir.resolve("text"), key);
      cache = MessageCache.open(dir.resolve("cache"), key, CACHE_BYTES);
      reads.attach(index, cache);
      indexer = new AccountIndexer(this, text, cache, address());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- loading -------------------------------------------------------------------------------

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

  private CompletionStage<Void> createSpecialFolders() {
    return onLoop(
            () ->
                append(
                    folderList,
                    () -> {
                      FolderListState s = (FolderListState) folderList.state;
                      List<byte[]> ops = new ArrayList<>();
                      for (String[] sp : SPECIAL) {
                        if (s.byName(sp[0]) == null) {
                          ops.add(Ops.encode(newFolder(sp[0], sp[1])));
                        }
                      }
                      return ops;
                    },
                    false))
        .thenApply(n -> null);
  }

  private Ops.Create newFolder(String name, String specialUse) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    long uidValidity = 1 + (random.nextLong() >>> 33); // positive, 31 bits
    return new Ops.Create(id, name, specialUse, uidValidity);
  }

  private CompletionStage<Void> loadFolders() {
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

  /** The loaded slot of folder {@code id}, loading it if needed. */
  private CompletionStage<Slot> slotOf(String id) {
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

  // ---- appending -----------------------------------------------------------------------------

  /**
   * On the loop: builds operations under the lock (so UIDs are assigned in append order), hands
   * them to the writer, and applies them when acknowledged. Completes with the number of the last
   * operation, or -1 if {@code build} produced none.
   */
  private CompletionStage<Long> append(Slot slot, Supplier<List<byte[]>> build, boolean live) {
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

  private <T> CompletableFuture<T> onLoop(Supplier<CompletionStage<T>> work) {
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

  // ---- folders -------------------------------------------------------------------------------

  /** The canonical form of a folder name: INBOX in any case is "INBOX". */
  public static String canonical(String name) {
    return name.equalsIgnoreCase("INBOX") ? "INBOX" : name;
  }

  private String nameOf(String folderId) {
    synchronized (lock) {
      FolderListState.Folder f = ((FolderListState) folderList.state).byId.get(folderId);
      return f == null ? null : f.name();
    }
  }

  private FolderListState.Folder folder(String name) {
    synchronized (lock) {
      FolderListState.Folder f = ((FolderListState) folderList.state).byName(canonical(name));
      if (f == null) {
        throw new MailException(Kind.NONEXISTENT, "no folder " + name);
      }
      return f;
    }
  }

  /** Every folder, in creation order. */
  public List<FolderInfo> folders() {
    synchronized (lock) {
      List<FolderInfo> out = new ArrayList<>();
      for (FolderListState.Folder f : ((FolderListState) folderList.state).byId.values()) {
        out.add(new FolderInfo(f.name(), f.specialUse(), f.uidValidity()));
      }
      return out;
    }
  }

  /** The subscribed names. */
  public Set<String> subscriptions() {
    synchronized (lock) {
      return Set.copyOf(((FolderListState) folderList.state).subscribed);
    }
  }

  /** Creates {@code name} and any missing parents. */
  public CompletionStage<Void> createFolder(String name) {
    String n = canonical(name);
    return onLoop(
            () ->
                append(
                    folderList,
                    () -> {
                      FolderListState s = (FolderListState) folderList.state;
                      if (s.byName(n) != null) {
                        throw new MailException(Kind.ALREADY_EXISTS, "folder " + n + " exists");
                      }
                      if (s.byId.size() >= config.maxFolders()) {
                        throw new MailException(
                            Kind.LIMIT, "at most " + config.maxFolders() + " folders");
                      }
                      List<byte[]> ops = new ArrayList<>();
                      String[] parts = n.split("/", -1);
                      StringBuilder prefix = new StringBuilder();
                      for (int i = 0; i < parts.length; i++) {
                        prefix.append(i == 0 ? "" : "/").append(parts[i]);
                        String p = canonical(prefix.toString());
                        if (!parts[i].isEmpty() && s.byName(p) == null) {
                          ops.add(Ops.encode(newFolder(p, "")));
                        }
                      }
                      return ops;
                    },
                    true))
        .thenCompose(x -> loadFolders());
  }

  /** Deletes {@code name} (not INBOX) and releases its messages. Children stay. */
  public CompletionStage<Void> deleteFolder(String name) {
    FolderListState.Folder f = folder(name);
    if (f.name().equals("INBOX")) {
      return CompletableFuture.failedFuture(
          new MailException(Kind.CANNOT, "INBOX cannot be deleted"));
    }
    return slotOf(f.id())
        .thenCompose(
            slot ->
                onLoop(
                    () ->
                        append(
                                folderList,
                                () ->
                                    List.of(
                                        Ops.encode(
                                            new Ops.Delete(HexFormat.of().parseHex(f.id())))),
                                true)
                            .thenCompose(
                                n -> {
                                  List<MessageRef> refs = new ArrayList<>();
                                  synchronized (lock) {
                                    for (FolderState.Entry e :
                                        ((FolderState) slot.state).messages.values()) {
                                      refs.add(e.mail().ref());
                                    }
                                    folders.remove(f.id());
                                  }
                                  for (MessageRef r : refs) {
                                    services.post().store().release(r);
                                  }
                                  return slot.writer.close().exceptionally(t -> null);
                                })));
  }

  /** Renames {@code from} and its children to {@code to}. INBOX: its messages move. */
  public CompletionStage<Void> renameFolder(String from, String to) {
    String src = canonical(from);
    String dst = canonical(to);
    FolderListState.Folder f = folder(src);
    if (src.equals("INBOX")) {
      return createFolder(dst)
          .thenCompose(
              x -> {
                List<Long> uids;
                synchronized (lock) {
                  uids =
                      new ArrayList<>(((FolderState) folders.get(f.id()).state).messages.keySet());
                }
                return uids.isEmpty()
                    ? CompletableFuture.completedFuture(null)
                    : move("INBOX", uids, dst).thenApply(r -> null);
              });
    }
    return onLoop(
        () ->
            append(
                    folderList,
                    () -> {
                      FolderListState s = (FolderListState) folderList.state;
                      if (s.byName(dst) != null) {
                        throw new MailException(Kind.ALREADY_EXISTS, "folder " + dst + " exists");
                      }
                      List<byte[]> ops = new ArrayList<>();
                      for (FolderListState.Folder c : s.byId.values()) {
                        if (c.name().equals(src) || c.name().startsWith(src + "/")) {
                          String renamed = dst + c.name().substring(src.length());
                          ops.add(
                              Ops.encode(new Ops.Rename(HexFormat.of().parseHex(c.id()), renamed)));
                        }
                      }
                      return ops;
                    },
                    true)
                .thenApply(n -> null));
  }

  /** Adds or removes {@code name} from the subscriptions. */
  public CompletionStage<Void> subscribe(String name, boolean on) {
    String n = canonical(name);
    return onLoop(
        () ->
            append(
                    folderList,
                    () ->
                        ((FolderListState) folderList.state).subscribed.contains(n) == on
                            ? List.of()
                            : List.of(Ops.encode(new Ops.Subscribe(n, on))),
                    true)
                .thenApply(x -> null));
  }

  // ---- messages ------------------------------------------------------------------------------

  private FolderState loaded(String name) {
    FolderListState.Folder f = folder(name);
    synchronized (lock) {
      Slot s = folders.get(f.id());
      if (s == null || s.writer == null) {
        throw new MailException(Kind.UNAVAILABLE, "folder " + name + " is not loaded yet");
      }
      return (FolderState) s.state;
    }
  }

  private CompletionStage<Slot> slot(String name) {
    try {
      return slotOf(folder(name).id());
    } catch (MailException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The folder's UIDVALIDITY, without looking at its messages ({@link #view} builds a record per
   * message).
   *
   * @throws MailException NONEXISTENT if there is no such folder
   */
  public long uidValidity(String name) {
    return folder(name).uidValidity();
  }

  /** The folder's state now. */
  public FolderView view(String name) {
    FolderListState.Folder f = folder(name);
    FolderState s = loaded(name);
    synchronized (lock) {
      List<MessageRecord> records = new ArrayList<>(s.messages.size());
      for (FolderState.Entry e : s.messages.values()) {
        records.add(e.record());
      }
      return new FolderView(f.uidValidity(), s.uidNext, s.highestModSeq(), records);
    }
  }

  /** What changed after {@code modSeq}; proportional to the change. */
  public MailboxChanges changesSince(String name, long modSeq) {
    FolderListState.Folder f = folder(name);
    FolderState s = loaded(name);
    synchronized (lock) {
      return new MailboxChanges(
          f.uidValidity(),
          s.uidNext,
          s.highestModSeq(),
          s.changedSince(modSeq),
          s.expungedSince(modSeq),
          modSeq >= s.expungeFloor);
    }
  }

  /** One message of a folder: what the IMAP session needs to list or read it. */
  public record Message(long uid, StoredMail mail, byte[] addedHeader) {}

  /** The messages with these UIDs that exist, ascending. */
  public List<Message> messages(String name, Collection<Long> uids) {
    FolderState s = loaded(name);
    synchronized (lock) {
      List<Message> out = new ArrayList<>();
      for (FolderState.Entry e : s.entries(new java.util.TreeSet<>(uids))) {
        out.add(new Message(e.uid(), e.mail(), e.added()));
      }
      return out;
    }
  }

  /**
   * The message's layout from the metadata index, else from its {@code STRUCTURE} part on the ring
   * (then recorded in the index).
   */
  public CompletionStage<MessageLayout> layout(StoredMail mail) {
    return reads.layout(mail);
  }

  /**
   * A blocking stream of {@code [offset, offset+length)} of the copy: from the local cache when it
   * holds the message, else from the ring ({@link RangedReader}).
   */
  public InputStream read(Message m, long offset, long length) throws IOException {
    return reads.read(m.mail(), m.addedHeader(), offset, length);
  }

  /** The full-text index (tests). */
  TextIndex textIndex() {
    return text;
  }

  /** The local message cache (tests). */
  MessageCache messageCache() {
    return cache;
  }

  /** The stored message's bytes, all of them, from the ring (for the indexer). Blocking. */
  InputStream readStored(StoredMail mail) throws IOException {
    return reads.readFromRing(mail, new byte[0], 0, mail.size());
  }

  /** The stored message's MIME structure (metadata index, else the ring). Blocking. */
  org.epost.imap.mime.MimePart structureOf(StoredMail mail) {
    return StructurePrefix.apply(await(layout(mail)).mimeStructure(), new byte[0]);
  }

  /** Every message filed in a loaded folder, each stored message once. */
  List<StoredMail> storedMail() {
    Map<MessageRef, StoredMail> out = new LinkedHashMap<>();
    synchronized (lock) {
      for (Slot slot : folders.values()) {
        if (slot.state instanceof FolderState f) {
          for (FolderState.Entry e : f.messages.values()) {
            out.putIfAbsent(e.mail().ref(), e.mail());
          }
        }
      }
    }
    return List.copyOf(out.values());
  }

  /**
   * The full-text index's verdicts for SEARCH BODY ({@code includeHeader} false) or TEXT over
   * {@code folder} (see {@link TextSearch}), or null if the index cannot help with the needle. A
   * copy's added header lines (Authentication-Results) are not in the index: TEXT checks them here.
   */
  public TextSearch.Hits searchText(String folder, String needle, boolean includeHeader) {
    TextIndex t = text;
    if (t == null) {
      return null;
    }
    FolderState s = loaded(folder);
    long[] uids;
    long[] ids;
    byte[][] added;
    synchronized (lock) {
      int n = s.messages.size();
      uids = new long[n];
      ids = new long[n];
      added = new byte[n][];
      int i = 0;
      for (FolderState.Entry e : s.messages.values()) {
        uids[i] = e.uid();
        ids[i] = TextIndex.idOf(e.mail().ref());
        added[i] = e.added();
        i++;
      }
    }
    return FolderTextSearch.hits(t, needle, includeHeader, uids, ids, added);
  }

  @Override
  public String address() {
    return services.certificate().address();
  }

  @Override
  public CompletionStage<StoredMail> store(InputStream rfc5322) {
    if (closed) {
      return CompletableFuture.failedFuture(
          new MailException(Kind.CLOSED, "the account is closed"));
    }
    return storer
        .store(rfc5322)
        .thenApplyAsync(
            r -> {
              MetadataIndex i = index;
              if (i != null) {
                i.put(r.mail().ref(), r.layout());
              }
              return r.mail();
            },
            executor);
  }

  @Override
  public void alreadyRead(StoredMail mail, byte[] structurePart) {
    reads.alreadyRead(mail, structurePart);
  }

  /** One message to file: what {@link #fileAll} takes. */
  public record Filing(StoredMail mail, byte[] addedHeader, Set<String> flags, long internalDate) {}

  @Override
  public CompletionStage<Long> file(
      String folder, StoredMail mail, byte[] addedHeader, Set<String> flags) {
    return fileAll(
            folder, List.of(new Filing(mail, addedHeader, flags, System.currentTimeMillis())))
        .thenApply(uids -> uids.get(0));
  }

  /**
   * Files several messages into {@code folder} in one log write: all or none (MULTIAPPEND, COPY).
   * Completes with their UIDs in order.
   */
  public CompletionStage<List<Long>> fileAll(String folder, List<Filing> filings) {
    for (Filing f : filings) {
      if (f.addedHeader().length > Ops.MAX_ADDED_HEADER) {
        return CompletableFuture.failedFuture(
            new MailException(
                Kind.LIMIT, "an added header over " + Ops.MAX_ADDED_HEADER + " bytes"));
      }
      int flagBytes = 0;
      for (String fl : f.flags()) {
        flagBytes += fl.length() + 4;
      }
      if (flagBytes > Ops.MAX_FLAG_BYTES) {
        return CompletableFuture.failedFuture(new MailException(Kind.LIMIT, "too many flags"));
      }
    }
    List<Long> uids = new ArrayList<>();
    CompletionStage<List<Long>> done =
        slot(folder)
            .thenCompose(
                slot ->
                    onLoop(
                        () ->
                            append(
                                slot,
                                () -> {
                                  FolderState s = (FolderState) slot.state;
                                  List<byte[]> ops = new ArrayList<>();
                                  for (Filing f : filings) {
                                    long uid = Math.max(s.uidNext, slot.reservedUid + 1);
                                    slot.reservedUid = uid;
                                    uids.add(uid);
                                    ops.add(
                                        Ops.encode(
                                            new Ops.Add(
                                                uid,
                                                f.internalDate(),
                                                Set.copyOf(f.flags()),
                                                f.mail(),
                                                f.addedHeader().clone())));
                                  }
                                  return ops;
                                },
                                true)))
            .thenApply(n -> List.copyOf(uids));
    // Fill the metadata index while the message is fresh (best effort); then cache and index
    // its text in the background.
    done.thenRun(
        () -> {
          for (Filing f : filings) {
            if (index != null && !index.contains(f.mail().ref())) {
              layout(f.mail());
            }
            AccountIndexer i = indexer;
            if (i != null) {
              i.filed(f.mail());
            }
          }
        });
    return done;
  }

  /** Result of a flag change. */
  public record FlagResult(Map<Long, MessageRecord> records, List<Long> modified) {}

  /**
   * Changes flags; messages whose MODSEQ is above {@code unchangedSince} are left alone and
   * reported as modified.
   *
   * @param mode 0 add, 1 remove, 2 replace
   */
  public CompletionStage<FlagResult> storeFlags(
      String folder, Collection<Long> uids, int mode, Set<String> flags, long unchangedSince) {
    List<Long> modified = new ArrayList<>();
    List<Long> targets = new ArrayList<>();
    return slot(folder)
        .thenCompose(
            slot ->
                onLoop(
                        () ->
                            append(
                                slot,
                                () -> {
                                  FolderState s = (FolderState) slot.state;
                                  List<Long> change = new ArrayList<>();
                                  for (long u : new java.util.TreeSet<>(uids)) {
                                    FolderState.Entry e = s.messages.get(u);
                                    if (e == null) {
                                      continue;
                                    }
                                    if (e.modSeq() > unchangedSince) {
                                      modified.add(u);
                                      continue;
                                    }
                                    targets.add(u);
                                    if (!FolderState.combine(e.flags(), mode, flags)
                                        .equals(e.flags())) {
                                      change.add(u);
                                    }
                                  }
                                  List<byte[]> ops = new ArrayList<>();
                                  for (List<long[]> r : Ops.rangeChunks(change)) {
                                    ops.add(Ops.encode(new Ops.Flags(mode, Set.copyOf(flags), r)));
                                  }
                                  return ops;
                                },
                                true))
                    .thenApply(
                        n -> {
                          Map<Long, MessageRecord> records = new LinkedHashMap<>();
                          synchronized (lock) {
                            FolderState s = (FolderState) slot.state;
                            for (long u : targets) {
                              FolderState.Entry e = s.messages.get(u);
                              if (e != null) {
                                records.put(u, e.record());
                              }
                            }
                          }
                          return new FlagResult(records, modified);
                        }));
  }

  /** Removes messages flagged \Deleted (among {@code uids}, or all if null); the UIDs removed. */
  public CompletionStage<List<Long>> expunge(String folder, Collection<Long> uids) {
    List<Long> removed = new ArrayList<>();
    return slot(folder)
        .thenCompose(
            slot ->
                onLoop(
                    () ->
                        append(
                            slot,
                            () -> {
                              FolderState s = (FolderState) slot.state;
                              Collection<Long> among = uids == null ? s.messages.keySet() : uids;
                              for (long u : new java.util.TreeSet<>(among)) {
                                FolderState.Entry e = s.messages.get(u);
                                if (e != null && e.flags().contains("\\Deleted")) {
                                  removed.add(u);
                                }
                              }
                              return remove(removed);
                            },
                            true)))
        .thenApply(n -> List.copyOf(removed));
  }

  private static List<byte[]> remove(List<Long> uids) {
    List<byte[]> ops = new ArrayList<>();
    for (List<long[]> r : Ops.rangeChunks(uids)) {
      ops.add(Ops.encode(new Ops.Expunge(r)));
    }
    return ops;
  }

  /** Result of a copy or move. */
  public record Copied(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {}

  /** Copies messages (the same stored blocks: new ADDs referencing them). */
  public CompletionStage<Copied> copy(String from, Collection<Long> uids, String to) {
    FolderListState.Folder target;
    try {
      target = folder(to);
      loaded(from);
    } catch (MailException e) {
      return CompletableFuture.failedFuture(e);
    }
    List<Long> source = new ArrayList<>();
    List<Filing> filings = new ArrayList<>();
    synchronized (lock) {
      FolderState s = loaded(from);
      for (FolderState.Entry e : s.entries(new java.util.TreeSet<>(uids))) {
        source.add(e.uid());
        filings.add(new Filing(e.mail(), e.added(), e.flags(), e.internalDate()));
      }
    }
    if (filings.isEmpty()) {
      return CompletableFuture.completedFuture(
          new Copied(target.uidValidity(), List.of(), List.of()));
    }
    return fileAll(to, filings).thenApply(t -> new Copied(target.uidValidity(), source, t));
  }

  /** Copies, then expunges the originals (a failure in between leaves both: nothing is lost). */
  public CompletionStage<Copied> move(String from, Collection<Long> uids, String to) {
    return copy(from, uids, to)
        .thenCompose(
            c ->
                c.sourceUids().isEmpty()
                    ? CompletableFuture.completedFuture(c)
                    : slot(from)
                        .thenCompose(
                            slot -> onLoop(() -> append(slot, () -> remove(c.sourceUids()), true)))
                        .thenApply(n -> c));
  }

  /** Tells {@code listener} of every change to {@code folder} (by anyone) until closed. */
  public Registration watch(String folder, MailboxListener listener) {
    String id = folder(folder).id();
    watchers.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(listener);
    return () -> {
      List<MailboxListener> l = watchers.get(id);
      if (l != null) {
        l.remove(listener);
      }
    };
  }

  /** Waits for {@code stage} with the account's call timeout, as a blocking caller does. */
  public <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(config.callTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MailException(Kind.UNAVAILABLE, "interrupted while waiting for the ring", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw MailFailures.toMail("the ring", e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new MailException(
          Kind.UNAVAILABLE, "the ring did not answer within " + config.callTimeoutMillis() + " ms");
    }
  }

  @Override
  public UserSession openSession() {
    if (closed) {
      throw new MailException(Kind.CLOSED, "the account is closed");
    }
    return org.epost.mail.imap.AccountSession.of(this);
  }

  /** Internal date now, for callers that have none. */
  static long now() {
    return Instant.now().toEpochMilli();
  }

  String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
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
          .get(config.callTimeoutMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      // the node is gone or slow: its next session takes the logs over after the quiet period
    }
    closed = true;
    watchers.clear();
    AccountIndexer ai = indexer;
    if (ai != null) {
      ai.close();
    }
    TextIndex t = text;
    if (t != null) {
      t.close();
    }
    executor.shutdown();
    MetadataIndex i = index;
    if (i != null) {
      i.close();
    }
  }
}
