package org.epost.mail.search;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.SimpleCollector;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.store.NIOFSDirectory;
import org.epost.crypto.api.UserIdentity;
import org.epost.crypto.primitives.AesGcm;
import org.epost.crypto.primitives.Hkdf;
import org.epost.crypto.primitives.Sha256;
import org.epost.imap.api.TextSearch.Verdict;
import org.epost.imap.mime.DecodedText;
import org.epost.imap.mime.MimePart;
import org.epost.post.api.MessageRef;

/**
 * The account's full-text index on the user's disk (ADR 0111): one Lucene document per stored
 * message (keyed by its reference, so copies in several folders share it), holding the message's
 * {@link DecodedText} as two fields, {@code head} (the top-level header) and {@code body}
 * (everything else SEARCH BODY looks at). Files are encrypted by {@link EncryptedDirectory}.
 *
 * <p>Words are maximal runs of letters and digits ({@link Character#isLetterOrDigit(int)}),
 * lower-cased. That makes the index exact for IMAP's substring semantics when the needle is one
 * run: the text contains "ord" iff some word contains "ord" (a wildcard {@code *ord*} over the term
 * dictionary, no body read). A needle with separators ("bob@example") becomes a conjunction of its
 * runs (inner runs whole words, the first a word suffix, the last a prefix): a superset, answered
 * {@link Verdict#UNKNOWN} for the messages it finds so that the server checks those. A message
 * whose text was cut (more than {@link #MAX_CHARS} characters, or a run of more than {@link
 * #MAX_WORD} characters) is never answered NO_MATCH.
 *
 * <p>Losing or damaging the index loses nothing: {@link #open} starts an empty one and the account
 * feeds it again from the store. Threading: every method may be called from any thread; adding and
 * searching hold this object's lock (a leaf lock; no ring call under it), Lucene's own I/O
 * included.
 */
public final class TextIndex implements AutoCloseable {
  /** Characters of decoded text indexed per message; beyond, the message is partial. */
  static final int MAX_CHARS = 4 << 20;

  /** Longest word indexed whole (Lucene's term limit is 32,766 UTF-8 bytes). */
  static final int MAX_WORD = 8191;

  private static final FieldType TEXT = new FieldType();

  static {
    TEXT.setIndexOptions(IndexOptions.DOCS);
    TEXT.setTokenized(true);
    TEXT.setOmitNorms(true);
    TEXT.setStored(false);
    TEXT.freeze();
  }

  private final Path dir;
  private final EncryptedDirectory directory;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final Set<Long> indexed = new HashSet<>(); // under this
  private boolean dirty; // under this: added since the searcher was refreshed
  private boolean uncommitted; // under this: added since the last commit
  private boolean closed;

  /** The words of a text: runs of letters and digits, lower-cased. */
  static final class WordAnalyzer extends Analyzer {
    @Override
    protected TokenStreamComponents createComponents(String field) {
      Tokenizer t =
          new CharTokenizer(
              org.apache.lucene.util.AttributeFactory.DEFAULT_ATTRIBUTE_FACTORY, MAX_WORD) {
            @Override
            protected boolean isTokenChar(int c) {
              return isWordChar(c);
            }
          };
      return new TokenStreamComponents(t, new LowerCaseFilter(t));
    }
  }

  static boolean isWordChar(int c) {
    return Character.isLetterOrDigit(c);
  }

  private TextIndex(Path dir, byte[] key) throws IOException {
    this.dir = dir;
    this.directory = new EncryptedDirectory(new NIOFSDirectory(dir), key, new SecureRandom());
    IndexWriterConfig cfg = new IndexWriterConfig(new WordAnalyzer());
    cfg.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
    cfg.setRAMBufferSizeMB(8);
    cfg.setCommitOnClose(true);
    IndexWriter w = null;
    try {
      w = new IndexWriter(directory, cfg);
      this.writer = w;
      this.searchers = new SearcherManager(writer, null);
      loadIds();
    } catch (IOException | RuntimeException e) {
      if (w != null) {
        w.rollback();
      }
      directory.close();
      throw e;
    }
  }

  /** The index key of {@code identity}: HKDF-SHA256 of its signing seed. */
  public static byte[] deriveKey(UserIdentity identity) {
    byte[] seed = identity.signing().exportSeed();
    try {
      return Hkdf.derive(
          "epost/mail".getBytes(StandardCharsets.US_ASCII),
          seed,
          "text index v1".getBytes(StandardCharsets.US_ASCII),
          AesGcm.KEY_LENGTH);
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * Opens the index in {@code dir} (owner-only), or, if it is missing, unreadable with this key or
   * damaged, deletes what is there and starts an empty one. Blocking disk I/O.
   */
  public static TextIndex open(Path dir, byte[] key) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    try {
      return new TextIndex(dir, key);
    } catch (IOException | RuntimeException e) {
      wipe(dir);
      return new TextIndex(dir, key);
    }
  }

  private static void wipe(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** The index's id of a stored message: the first 8 bytes of the SHA-256 of its reference. */
  public static long idOf(MessageRef ref) {
    return ByteBuffer.wrap(Sha256.hash(ref.encode())).getLong();
  }

  private void loadIds() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        NumericDocValues ids = leaf.reader().getNumericDocValues("h");
        org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
        if (ids == null) {
          continue;
        }
        for (int d = ids.nextDoc();
            d != org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
            d = ids.nextDoc()) {
          if (live == null || live.get(d)) {
            indexed.add(ids.longValue());
          }
        }
      }
    } finally {
      searchers.release(s);
    }
  }

  /** Whether the message with this id is indexed. */
  public synchronized boolean contains(long id) {
    return indexed.contains(id);
  }

  /** Messages indexed. */
  public synchronized int size() {
    return indexed.size();
  }

  /** The text of one message as the index keeps it. */
  private static final class Extracted {
    final StringBuilder head = new StringBuilder();
    final StringBuilder body = new StringBuilder();
    boolean partial;
    int run;
  }

  /**
   * Indexes one stored message: {@code message} is its bytes from offset 0 (read forward, at most
   * {@link DecodedText#MAX_BYTES_PER_MESSAGE}), {@code structure} its MIME structure. Blocking:
   * reads the stream (which may wait for the ring) before taking the lock.
   */
  public void add(long id, MimePart structure, InputStream message) throws IOException {
    Extracted x = new Extracted();
    char[] buf = new char[8192];
    DecodedText.read(
        message,
        DecodedText.segments(structure, true),
        (seg, text) -> {
          StringBuilder to = seg.kind() == DecodedText.Kind.TOP_HEADER ? x.head : x.body;
          to.append('\n'); // segments never join into one word
          x.run = 0;
          return copy(text, to, x, buf);
        });
    Document doc = new Document();
    String key = Long.toHexString(id);
    doc.add(new StringField("id", key, Field.Store.NO));
    doc.add(new NumericDocValuesField("h", id));
    doc.add(new Field("head", x.head.toString(), TEXT));
    doc.add(new Field("body", x.body.toString(), TEXT));
    if (x.partial) {
      doc.add(new StringField("partial", "1", Field.Store.NO));
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      writer.updateDocument(new Term("id", key), doc);
      indexed.add(id);
      dirty = true;
      uncommitted = true;
    }
  }

  private static boolean copy(Reader text, StringBuilder to, Extracted x, char[] buf)
      throws IOException {
    int n;
    while ((n = text.read(buf)) > 0) {
      int room = MAX_CHARS - x.head.length() - x.body.length();
      if (n > room) {
        n = Math.max(room, 0);
        x.partial = true;
      }
      for (int i = 0; i < n; i++) {
        x.run = isWordChar(buf[i]) || Character.isSurrogate(buf[i]) ? x.run + 1 : 0;
        if (x.run > MAX_WORD) {
          x.partial = true;
        }
      }
      to.append(buf, 0, n);
      if (x.partial && room <= n) {
        return false;
      }
    }
    return true;
  }

  /**
   * The verdicts for {@code needle} over the messages {@code ids} (TEXT if {@code includeHeader},
   * else BODY), in the same order, or null if the index cannot help with this needle (no letter or
   * digit in it, or a line break).
   */
  public Verdict[] verdicts(String needle, boolean includeHeader, long[] ids) throws IOException {
    Verdict[] out = new Verdict[ids.length];
    if (needle.isEmpty()) {
      Arrays.fill(out, Verdict.MATCH);
      return out;
    }
    if (needle.indexOf('\r') >= 0 || needle.indexOf('\n') >= 0) {
      return null;
    }
    char[] lower = needle.toCharArray();
    for (int i = 0; i < lower.length; i++) {
      lower[i] = Character.toLowerCase(lower[i]); // as the server's check lowers text
    }
    String n = new String(lower);
    List<int[]> runs = new ArrayList<>();
    for (int i = 0; i < n.length(); ) {
      int c = n.codePointAt(i);
      int w = Character.charCount(c);
      if (isWordChar(c)) {
        if (runs.isEmpty() || runs.get(runs.size() - 1)[1] != i) {
          runs.add(new int[] {i, i + w});
        } else {
          runs.get(runs.size() - 1)[1] = i + w;
        }
      }
      i += w;
    }
    if (runs.isEmpty()) {
      return null;
    }
    boolean exact = runs.size() == 1 && runs.get(0)[0] == 0 && runs.get(0)[1] == n.length();
    Query q =
        includeHeader
            ? new BooleanQuery.Builder()
                .add(query("head", n, runs), BooleanClause.Occur.SHOULD)
                .add(query("body", n, runs), BooleanClause.Occur.SHOULD)
                .build()
            : query("body", n, runs);
    synchronized (this) {
      if (closed) {
        return null;
      }
      if (dirty) {
        searchers.maybeRefreshBlocking();
        dirty = false;
      }
      IndexSearcher s = searchers.acquire();
      try {
        Set<Long> hits = collect(s, q);
        Set<Long> partial = collect(s, new TermQuery(new Term("partial", "1")));
        for (int i = 0; i < ids.length; i++) {
          long id = ids[i];
          if (!indexed.contains(id)) {
            out[i] = Verdict.UNKNOWN;
          } else if (hits.contains(id)) {
            out[i] = exact ? Verdict.MATCH : Verdict.UNKNOWN;
          } else {
            out[i] = partial.contains(id) ? Verdict.UNKNOWN : Verdict.NO_MATCH;
          }
        }
      } finally {
        searchers.release(s);
      }
    }
    return out;
  }

  /** The query for one field: see the class comment. */
  private static Query query(String field, String n, List<int[]> runs) {
    if (runs.size() == 1) {
      int[] r = runs.get(0);
      String w = n.substring(r[0], r[1]);
      boolean before = r[0] > 0;
      boolean after = r[1] < n.length();
      return word(field, w, before, after);
    }
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (int[] r : runs) {
      b.add(
          word(field, n.substring(r[0], r[1]), r[0] > 0, r[1] < n.length()),
          BooleanClause.Occur.FILTER);
    }
    return b.build();
  }

  /**
   * Words containing {@code w}: ending with it if a separator follows it in the needle, starting
   * with it if one precedes it, equal if both.
   */
  private static Query word(String field, String w, boolean before, boolean after) {
    if (before && after) {
      return new TermQuery(new Term(field, w));
    }
    if (before) {
      return new PrefixQuery(new Term(field, w));
    }
    return new WildcardQuery(new Term(field, after ? "*" + w : "*" + w + "*"));
  }

  private static Set<Long> collect(IndexSearcher s, Query q) throws IOException {
    Set<Long> out = new HashSet<>();
    s.search(
        q,
        new SimpleCollector() {
          private NumericDocValues ids;

          @Override
          protected void doSetNextReader(LeafReaderContext context) throws IOException {
            ids = context.reader().getNumericDocValues("h");
          }

          @Override
          public void collect(int doc) throws IOException {
            if (ids != null && ids.advanceExact(doc)) {
              out.add(ids.longValue());
            }
          }

          @Override
          public ScoreMode scoreMode() {
            return ScoreMode.COMPLETE_NO_SCORES;
          }
        });
    return out;
  }

  /** True if documents were added since the last {@link #commit()} (not yet durable on disk). */
  public synchronized boolean hasUncommitted() {
    return uncommitted;
  }

  /** Makes what was added durable (fsync); a crash before loses only what the account re-feeds. */
  public void commit() throws IOException {
    synchronized (this) {
      if (closed || !uncommitted) {
        return;
      }
      uncommitted = false;
      writer.commit();
    }
  }

  /** The directory the index lives in. */
  public Path directory() {
    return dir;
  }

  /** Commits and closes. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      searchers.close();
      writer.close();
    } catch (IOException | RuntimeException e) {
      // not committed: the account re-feeds what is missing when it opens
    }
    try {
      directory.close();
    } catch (IOException e) {
      // nothing left to lose
    }
  }
}
