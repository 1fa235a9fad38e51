package org.epost.mail.mailbox;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.epost.post.api.LogContents;

/**
 * The state one log's operations build, applied in operation order: {@link #sequence} operations so
 * far. Guarded by the account's lock. A snapshot is the state's encoding followed by the operations
 * the writer took but this state has not applied yet (ADR 0110), so a snapshot always covers
 * exactly the sequence the writer asks for.
 */
abstract class LoggedState {
  /** Operations applied. */
  long sequence;

  /** Applies operation number {@code sequence}; {@code live} if this session just wrote it. */
  abstract void apply(Object op, boolean live, Effects fx);

  abstract void write(DataOutputStream out) throws IOException;

  abstract void read(DataInputStream in) throws IOException;

  abstract void clear();

  /** Applies a decoded operation, skipping one that does not decode; advances the sequence. */
  final void applyBytes(byte[] op, boolean live, Effects fx) {
    Object decoded;
    try {
      decoded = Ops.decode(op);
    } catch (IllegalArgumentException e) {
      decoded = null; // counted as an operation, meaning nothing
    }
    if (decoded != null) {
      apply(decoded, live, fx);
    }
    sequence++;
  }

  /** Applies what a reader got, skipping operations already applied. */
  final void applyContents(LogContents c, boolean live, Effects fx) {
    if (c.hasSnapshot() && c.fromSequence() > sequence) {
      loadSnapshot(c.snapshot(), fx);
    }
    if (c.fromSequence() > sequence) {
      throw new IllegalStateException(
          "the log skips operations " + sequence + ".." + c.fromSequence() + " without a snapshot");
    }
    List<byte[]> ops = c.operations();
    for (int i = (int) (sequence - c.fromSequence()); i < ops.size(); i++) {
      applyBytes(ops.get(i), live, fx);
    }
  }

  final byte[] snapshot(List<byte[]> trailing) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(1024);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(1);
      out.writeLong(sequence);
      write(out);
      out.writeInt(trailing.size());
      for (byte[] op : trailing) {
        Ops.bytes(out, op);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void loadSnapshot(byte[] snapshot, Effects fx) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot));
      if (in.readUnsignedByte() != 1) {
        throw new IllegalArgumentException("unknown snapshot version");
      }
      clear();
      sequence = in.readLong();
      read(in);
      int n = in.readInt();
      List<byte[]> ops = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        ops.add(Ops.bytes(in, 1 << 20));
      }
      for (byte[] op : ops) {
        applyBytes(op, false, fx);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed snapshot", e);
    }
  }
}
