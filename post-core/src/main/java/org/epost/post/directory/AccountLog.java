package org.epost.post.directory;

import java.util.ArrayList;
import java.util.List;
import org.epost.crypto.api.CryptoException;
import org.epost.crypto.api.CryptoFormatException;
import org.epost.crypto.api.UserCertificate;
import org.epost.crypto.encoding.CanonicalReader;
import org.epost.crypto.encoding.CanonicalWriter;
import org.epost.post.api.LogApplication;
import org.epost.post.api.LogContents;

/**
 * The user's account (root) log, log name {@value #NAME} (ADR 0104): its first operation records
 * the enrolment (address, the certificate, the directory entry's sequence, the device, the wall
 * time). Later operations of other kinds (devices, folders) are the email application's; this
 * application keeps what it understands and counts the rest.
 *
 * <p>Operation: context {@code "epost/account-op"} v1, fields 1 kind (1 = enrolled), 2 address, 3
 * certificate encoding, 4 entry sequence, 5 device id, 6 wall time (epoch ms). Snapshot: context
 * {@code "epost/account-state"} v1, fields 1 the enrolment operations (length-prefixed list, the
 * newest {@value #MAX_ENROLMENTS}), 2 the number of other operations.
 */
public final class AccountLog implements LogApplication {
  /** The account log's name. */
  public static final String NAME = "account";

  /** Enrolment records kept (re-enrolments on a new key add one each). */
  static final int MAX_ENROLMENTS = 64;

  static final int ENROLLED = 1;

  /** One enrolment recorded in the log. */
  public record Enrolled(
      String address,
      UserCertificate certificate,
      long entrySequence,
      String device,
      long wallMillis) {}

  private final List<Enrolled> enrolments = new ArrayList<>();
  private long others;
  private long applied;

  /** The operation recording an enrolment. */
  public static byte[] enrolled(
      String address, UserCertificate cert, long entrySequence, String device, long wallMillis) {
    return CanonicalWriter.start("epost/account-op", 1)
        .u8(1, ENROLLED)
        .text(2, address)
        .bytes(3, cert.encode())
        .u64(4, entrySequence)
        .text(5, device)
        .u64(6, wallMillis)
        .toByteArray();
  }

  /** Decodes an enrolment operation; null for an operation of another kind. */
  public static Enrolled decode(byte[] op) throws CryptoException {
    CanonicalReader r = CanonicalReader.open(op, "epost/account-op", 1);
    if (r.u8(1) != ENROLLED) {
      return null;
    }
    String address = r.text(2, 3, 254);
    UserCertificate cert = UserCertificate.decode(r.bytes(3, 1, 2048));
    long seq = r.u64(4);
    String device = r.text(5, 1, 24);
    long wall = r.u64(6);
    r.end();
    return new Enrolled(address, cert, seq, device, wall);
  }

  /** Applies one operation of the log (the writer's own, or one caught up). */
  public void apply(byte[] op) {
    applied++;
    Enrolled e = null;
    try {
      e = decode(op);
    } catch (CryptoException | IllegalArgumentException ex) {
      // another application's operation (or a version this code does not know): counted
    }
    if (e == null) {
      others++;
      return;
    }
    if (enrolments.size() == MAX_ENROLMENTS) {
      enrolments.remove(0);
    }
    enrolments.add(e);
  }

  /** The enrolments recorded, oldest first (the newest {@value #MAX_ENROLMENTS}). */
  public List<Enrolled> enrolments() {
    return List.copyOf(enrolments);
  }

  /** Operations applied. */
  public long applied() {
    return applied;
  }

  /** Replaces the state with what a reader got from the log. */
  public void load(LogContents c) {
    if (c.hasSnapshot()) {
      enrolments.clear();
      others = 0;
      try {
        CanonicalReader r = CanonicalReader.open(c.snapshot(), "epost/account-state", 1);
        byte[] list = r.bytes(1, 0, 1 << 20);
        others = r.u64(2);
        r.end();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(list);
        while (b.hasRemaining()) {
          int n = b.getInt();
          if (n < 0 || n > b.remaining()) {
            throw new CryptoFormatException("bad account snapshot");
          }
          byte[] op = new byte[n];
          b.get(op);
          apply(op);
        }
      } catch (CryptoException | java.nio.BufferUnderflowException e) {
        throw new IllegalStateException("the account log's snapshot is malformed: " + e, e);
      }
      applied = c.fromSequence();
    } else if (c.fromSequence() == 0) {
      enrolments.clear();
      others = 0;
      applied = 0;
    }
    for (byte[] op : c.operations()) {
      apply(op);
    }
  }

  @Override
  public void catchUp(LogContents missed) {
    load(missed);
  }

  @Override
  public byte[] snapshot(long sequence) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Enrolled e : enrolments) {
      byte[] op =
          enrolled(e.address(), e.certificate(), e.entrySequence(), e.device(), e.wallMillis());
      out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(op.length).array());
      out.writeBytes(op);
    }
    return CanonicalWriter.start("epost/account-state", 1)
        .bytes(1, out.toByteArray())
        .u64(2, others)
        .toByteArray();
  }
}
