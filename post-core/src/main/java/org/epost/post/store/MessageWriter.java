package org.epost.post.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.epost.crypto.api.ContentKey;
import org.epost.crypto.api.EncryptedBlock;
import org.epost.crypto.content.ConvergentEncryption;
import org.epost.overlay.api.NodeEnvironment;
import org.epost.overlay.past.api.PastObject;
import org.epost.post.api.MessageRef;
import org.epost.post.api.PartInfo;
import org.epost.post.api.PartInput;
import org.epost.post.api.PartRef;
import org.epost.post.api.StoreException;
import org.epost.post.api.StoredMessage;

/**
 * Stores one message (ADR 0100): reads each part's stream one leaf at a time off the loop, encrypts
 * the leaf and whatever interior blocks it completes there, and inserts the blocks with at most
 * {@link StoreConfig#insertWindow()} leaves in flight; the message block goes last. Memory held:
 * one leaf being read, the blocks in flight (at most the window's leaves plus the interior blocks
 * they completed, up to {@link Blocks#MAX_LEVEL} each), and the tree's partly filled levels.
 *
 * <p>The tree and the stream are handed to one off-loop task at a time and touched by nothing else
 * meanwhile; every other field is loop state.
 */
final class MessageWriter {
  /** What one off-loop step produced. */
  private record Step(List<PastObject> blocks, int leafBytes, ContentKey root) {}

  private final NodeEnvironment env;
  private final BlockIo io;
  private final ConvergentEncryption ce;
  private final StoreConfig config;
  private final Counters counters;
  private final List<PartInput> inputs;
  private final long expiry;
  private final CompletableFuture<StoredMessage> result = new CompletableFuture<>();
  private final List<PartInfo> parts = new ArrayList<>();

  private int part; // index of the part being read
  private TreeWriter tree;
  private long partBytes;
  private boolean firstRead;
  private long totalBytes;
  private int inFlight;
  private boolean stepping;
  private boolean messageIssued;
  private MessageRef ref;
  private int blocks;
  private long storedBytes;
  private boolean finished;

  MessageWriter(
      NodeEnvironment env,
      BlockIo io,
      ConvergentEncryption ce,
      StoreConfig config,
      Counters counters,
      List<PartInput> inputs) {
    this.env = env;
    this.io = io;
    this.ce = ce;
    this.config = config;
    this.counters = counters;
    this.inputs = List.copyOf(inputs);
    this.expiry = env.clock().wallMillis() + config.leaseMillis();
  }

  CompletableFuture<StoredMessage> start() {
    long declared = 0;
    boolean allDeclared = true;
    for (PartInput in : inputs) {
      if (in.declaredLength() < 0) {
        allDeclared = false;
      } else {
        declared += in.declaredLength();
      }
    }
    if (declared > config.maxMessageBytes()) {
      fail(tooLarge(declared, allDeclared ? "is" : "is at least"));
      return result;
    }
    beginPart();
    pump();
    return result;
  }

  private StoreException tooLarge(long bytes, String verb) {
    return new StoreException.MessageTooLargeException(
        "the message "
            + verb
            + " "
            + bytes
            + " bytes, over this node's maximum of "
            + config.maxMessageBytes()
            + " bytes: send the large attachments another way, or raise the maximum message size",
        config.maxMessageBytes());
  }

  private void beginPart() {
    tree = new TreeWriter(ce);
    partBytes = 0;
    firstRead = true;
  }

  private void pump() {
    if (finished || stepping) {
      return;
    }
    if (part < inputs.size()) {
      if (inFlight >= config.insertWindow()) {
        return; // an insert's completion calls pump again
      }
      step();
      return;
    }
    if (!messageIssued) {
      messageIssued = true;
      byte[] plain = Blocks.encodeMessage(parts);
      stepping = true;
      env.offLoop()
          .submit(
              () -> {
                EncryptedBlock b = ce.encryptBlock(plain, 0, plain.length, ContentKey.Kind.DATA);
                return new Step(List.of(PastObject.immutable(b.bytes(), expiry)), 0, b.key());
              })
          .whenComplete(
              (s, failure) -> {
                stepping = false;
                if (finished) {
                  return;
                }
                if (failure != null) {
                  fail(BlockIo.failure(failure, "encrypting the message block"));
                  return;
                }
                try {
                  ref = new MessageRef(s.root());
                  insertAll(s.blocks(), "the message block of " + ref);
                } catch (RuntimeException e) {
                  fail(e);
                }
              });
      return;
    }
    if (inFlight == 0) {
      finished = true;
      counters.messagesStored++;
      result.complete(new StoredMessage(ref, expiry, blocks, storedBytes, totalBytes));
    }
  }

  private void step() {
    stepping = true;
    TreeWriter t = tree;
    InputStream in = inputs.get(part).data();
    boolean first = firstRead;
    int index = part;
    firstRead = false;
    env.offLoop()
        .submit(() -> read(t, in, first, index))
        .whenComplete(
            (s, failure) -> {
              stepping = false;
              if (finished) {
                close(inputs.get(index)); // fail() left the stream being read open
                return;
              }
              if (failure != null) {
                fail(BlockIo.failure(failure, "reading and encrypting part " + part));
                return;
              }
              try {
                onStep(s);
              } catch (RuntimeException e) {
                fail(e); // a bug must fail the store, not leave it pending
              }
            });
  }

  /** Off the loop: reads up to one leaf, encrypts it and what it completes. */
  private Step read(TreeWriter t, InputStream in, boolean first, int index) {
    byte[] buf = new byte[Blocks.LEAF];
    int n;
    try {
      n = in.readNBytes(buf, 0, Blocks.LEAF);
    } catch (IOException e) {
      throw new StoreException.PartInputException(
          "reading part " + index + " of the message failed: " + e.getMessage(), e);
    }
    List<EncryptedBlock> out = new ArrayList<>(1 + Blocks.MAX_LEVEL);
    ContentKey root = t.addContent(buf, 0, n, first, out);
    List<PastObject> objects = new ArrayList<>(out.size());
    for (EncryptedBlock b : out) {
      objects.add(PastObject.immutable(b.bytes(), expiry));
    }
    return new Step(objects, n, root);
  }

  private void onStep(Step s) {
    totalBytes += s.leafBytes();
    partBytes += s.leafBytes();
    if (totalBytes > config.maxMessageBytes()) {
      fail(tooLarge(totalBytes, "is at least"));
      return;
    }
    PartInput in = inputs.get(part);
    if (in.declaredLength() >= 0 && partBytes > in.declaredLength()) {
      fail(lengthMismatch(in));
      return;
    }
    insertAll(s.blocks(), "a block of part " + part);
    if (finished) {
      return;
    }
    if (s.root() != null) {
      if (in.declaredLength() >= 0 && partBytes != in.declaredLength()) {
        fail(lengthMismatch(in));
        return;
      }
      parts.add(new PartInfo(part, in.role(), in.mimePath(), new PartRef(s.root())));
      close(in);
      part++;
      if (part < inputs.size()) {
        beginPart();
      }
    }
    pump();
  }

  private StoreException lengthMismatch(PartInput in) {
    return new StoreException.PartInputException(
        "part "
            + part
            + " declared "
            + in.declaredLength()
            + " bytes but its stream gave "
            + (partBytes > in.declaredLength() ? "more" : partBytes)
            + ": the message was not stored",
        null);
  }

  private void insertAll(List<PastObject> objects, String what) {
    for (PastObject o : objects) {
      inFlight++;
      blocks++;
      storedBytes += o.size();
      io.insert(o, what)
          .whenComplete(
              (v, failure) -> {
                inFlight--;
                if (failure != null) {
                  fail(BlockIo.failure(failure, what));
                  return;
                }
                try {
                  pump();
                } catch (RuntimeException e) {
                  fail(e);
                }
              });
    }
  }

  private void fail(Throwable t) {
    if (finished) {
      return;
    }
    finished = true;
    // A stream being read off the loop is closed when that read returns, not under it.
    for (int i = stepping ? part + 1 : part; i < inputs.size(); i++) {
      close(inputs.get(i));
    }
    result.completeExceptionally(t);
  }

  private static void close(PartInput in) {
    try {
      in.data().close();
    } catch (IOException e) {
      // the part is read to its end already, or the store failed: nothing to report beyond that
    }
  }
}
