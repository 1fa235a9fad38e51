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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.epost.post.api.MessageRef;

/**
 * One user's mail on POST (ADR 0110): the folder-list log {@code folders} and one log per folder
 * {@code f.<id>}, their state in memory behind the account's lock, the metadata index on disk.
 *
 * <p>Threading: public methods may be called from any thread. POST calls cross onto the node's loop
 * through the bridge; operations are built (UIDs assigned) on the loop, in the order they are
 * appended, and applied to the state when the writer acknowledges them, also on the loop, under the
 * account's lock (a leaf lock, never held while calling the ring or a listener). Stages complete on
 * the account's executor; watchers are told there.
 *
 * <p>This class is the account's face; the work is done by package-private parts: {@link
 * AccountLogs} (the logs, their states and the lock, appending, loading, watchers), {@link
 * FolderCatalog} (the folder list), {@link FolderMessages} (filing, flags, expunge, copy, move),
 * {@link MessageReads} (layouts and bodies from the index, the cache or the ring) and {@link
 * AccountIndexer} (the full-text index and the cache, in the background).
 */
public final class PostAccount implements MailAccount {
  static final String FOLDER_LIST_LOG = "folders";

  private final AccountServices services;
  private final MailboxConfig config;
  private final ExecutorService executor;
  private final RingStore ring;
  private final MessageStorer storer;
  private final SecureRandom random = new SecureRandom();
  private final AccountLogs logs;
  private final FolderMessages messageOps;
  private final FolderCatalog catalog;
  private final MessageReads reads;
  private MetadataIndex index;
  private volatile TextIndex text;
  private volatile MessageCache cache;
  private volatile AccountIndexer indexer;

  /** Bytes of recent messages the account keeps in its encrypted local cache at most. */
  static final long CACHE_BYTES = 256L << 20;

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
    this.logs = new AccountLogs(services, config, executor);
    this.messageOps = new FolderMessages(logs, this::filed);
    this.catalog = new FolderCatalog(logs, services, config, random, messageOps);
  }

  static CompletionStage<PostAccount> open(AccountServices services, MailboxConfig config) {
    PostAccount a = new PostAccount(services, config);
    return CompletableFuture.runAsync(a::openDisk, a.executor)
        .thenCompose(x -> a.logs.loadFolderList())
        .thenCompose(x -> a.catalog.createSpecialFolders())
        .thenCompose(x -> a.logs.loadFolders())
        .thenRun(a.logs::prepareViews)
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

  // ---- appending -----------------------------------------------------------------------------

  // ---- folders -------------------------------------------------------------------------------

  /** The canonical form of a folder name: INBOX in any case is "INBOX". */
  public static String canonical(String name) {
    return name.equalsIgnoreCase("INBOX") ? "INBOX" : name;
  }

  /** Every folder, in creation order. */
  public List<FolderInfo> folders() {
    return catalog.folders();
  }

  /** The subscribed names. */
  public Set<String> subscriptions() {
    return catalog.subscriptions();
  }

  /** Creates {@code name} and any missing parents. */
  public CompletionStage<Void> createFolder(String name) {
    return catalog.createFolder(name);
  }

  /** Deletes {@code name} (not INBOX) and releases its messages. Children stay. */
  public CompletionStage<Void> deleteFolder(String name) {
    return catalog.deleteFolder(name);
  }

  /** Renames {@code from} and its children to {@code to}. INBOX: its messages move. */
  public CompletionStage<Void> renameFolder(String from, String to) {
    return catalog.renameFolder(from, to);
  }

  /** Adds or removes {@code name} from the subscriptions. */
  public CompletionStage<Void> subscribe(String name, boolean on) {
    return catalog.subscribe(name, on);
  }

  // ---- messages ------------------------------------------------------------------------------

  /**
   * The folder's UIDVALIDITY, without looking at its messages (nor needing the folder's log loaded,
   * as {@link #view} does).
   *
   * @throws MailException NONEXISTENT if there is no such folder
   */
  public long uidValidity(String name) {
    return logs.folder(name).uidValidity();
  }

  /**
   * The folder's state now: its listing is shared by every caller until the folder changes (ADR
   * 0141).
   */
  public FolderView view(String name) {
    FolderListState.Folder f = logs.folder(name);
    FolderState s = logs.loaded(name);
    synchronized (logs.lock) {
      FolderState.Listing l = s.listing();
      return new FolderView(
          f.uidValidity(),
          s.uidNext,
          s.highestModSeq(),
          l.records(),
          l.firstUnseen(),
          l.keywords());
    }
  }

  /** What changed after {@code modSeq}; proportional to the change. */
  public MailboxChanges changesSince(String name, long modSeq) {
    FolderListState.Folder f = logs.folder(name);
    FolderState s = logs.loaded(name);
    synchronized (logs.lock) {
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
    FolderState s = logs.loaded(name);
    synchronized (logs.lock) {
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

  /**
   * Every message filed in a loaded folder, each stored message once. The lock is held only to copy
   * the folders' entries (the indexer calls this as the account opens, when the first SELECT wants
   * the lock too); duplicates are dropped outside it.
   */
  List<StoredMail> storedMail() {
    List<FolderState.Entry[]> entries = new ArrayList<>();
    synchronized (logs.lock) {
      for (AccountLogs.Slot slot : logs.folders.values()) {
        if (slot.state instanceof FolderState f) {
          entries.add(f.messages.values().toArray(new FolderState.Entry[0]));
        }
      }
    }
    Map<MessageRef, StoredMail> out = new LinkedHashMap<>();
    for (FolderState.Entry[] folder : entries) {
      for (FolderState.Entry e : folder) {
        out.putIfAbsent(e.mail().ref(), e.mail());
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
    FolderState s = logs.loaded(folder);
    long[] uids;
    long[] ids;
    byte[][] added;
    synchronized (logs.lock) {
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
    if (logs.closed()) {
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
    return messageOps.fileAll(folder, filings);
  }

  /**
   * Once a filing is acknowledged: fills the metadata index while the message is fresh (best
   * effort); then caches and indexes its text in the background.
   */
  private void filed(List<Filing> filings) {
    for (Filing f : filings) {
      if (index != null && !index.contains(f.mail().ref())) {
        layout(f.mail());
      }
      AccountIndexer i = indexer;
      if (i != null) {
        i.filed(f.mail());
      }
    }
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
    return messageOps.storeFlags(folder, uids, mode, flags, unchangedSince);
  }

  /** Removes messages flagged \Deleted (among {@code uids}, or all if null); the UIDs removed. */
  public CompletionStage<List<Long>> expunge(String folder, Collection<Long> uids) {
    return messageOps.expunge(folder, uids);
  }

  /** Result of a copy or move. */
  public record Copied(long targetUidValidity, List<Long> sourceUids, List<Long> targetUids) {}

  /** Copies messages (the same stored blocks: new ADDs referencing them). */
  public CompletionStage<Copied> copy(String from, Collection<Long> uids, String to) {
    return messageOps.copy(from, uids, to);
  }

  /** Copies, then expunges the originals (a failure in between leaves both: nothing is lost). */
  public CompletionStage<Copied> move(String from, Collection<Long> uids, String to) {
    return messageOps.move(from, uids, to);
  }

  /** Tells {@code listener} of every change to {@code folder} (by anyone) until closed. */
  public Registration watch(String folder, MailboxListener listener) {
    return logs.watch(folder, listener);
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
    if (logs.closed()) {
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
    if (logs.closed()) {
      return;
    }
    logs.close();
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
