package org.epost.post.api;

/**
 * Why a directory operation failed (ADR 0104); each subclass says whether retrying can help. The
 * rule a caller relies on: {@link NoSuchUser} is said only after a read quorum of the entry's
 * replica set answered and none holds an entry (and this node has never seen one for the address);
 * anything less is {@link Unavailable}, never "no such user".
 */
public abstract class DirectoryException extends PostException {
  private static final long serialVersionUID = 1L;

  private final String address;

  protected DirectoryException(String address, String message) {
    super(message);
    this.address = address;
  }

  protected DirectoryException(String address, String message, Throwable cause) {
    super(message, cause);
    this.address = address;
  }

  /** The (normalised, when it could be normalised) address the operation was about. */
  public String address() {
    return address;
  }

  /** A read quorum of the entry's replica set answered and none holds an entry. Not retryable. */
  public static final class NoSuchUser extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public NoSuchUser(String address, String message) {
      super(address, message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * The ring could not answer: too few of the entry's replicas answered, the node has not joined or
   * is overloaded, an insert was not acknowledged by a majority, or the ring says "not found" for
   * an address this node has seen an entry of (its holders are away: ADR 0093). Retryable.
   */
  public static final class Unavailable extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String address, String message) {
      super(address, message);
    }

    public Unavailable(String address, String message, Throwable cause) {
      super(address, message, cause);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /**
   * The user's certificate is revoked: by the entry's own status, or by the newest revocation list
   * this node holds. Not retryable (the authority re-issues a certificate under a new serial).
   */
  public static final class Revoked extends DirectoryException {
    private static final long serialVersionUID = 1L;
    private final long serial;

    public Revoked(String address, long serial, String message) {
      super(address, message);
      this.serial = serial;
    }

    /** The revoked certificate's serial. */
    public long serial() {
      return serial;
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * The certificate is not valid at this node's wall time (expired, or not yet valid). Not
   * retryable unchanged: the authority re-issues, or a clock is wrong.
   */
  public static final class Expired extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public Expired(String address, String message) {
      super(address, message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * The entry served is not what the ring's authority issued for this address: not signed by the
   * authority, a certificate issued by another key or for another address, a malformed payload, or
   * two different entries signed with one sequence. Counted; not retryable.
   */
  public static final class Forged extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public Forged(String address, String message) {
      super(address, message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * The ring served an entry older than one this node has already accepted for the address (storers
   * serving an entry from before a revocation or re-issue, with the replicas that hold the newer
   * one away). The node keeps its high-water mark and never goes back. Retryable.
   */
  public static final class RolledBack extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public RolledBack(String address, String message) {
      super(address, message);
    }

    @Override
    public boolean retryable() {
      return true;
    }
  }

  /** The address is not acceptable ({@link MailAddress}). Not retryable. */
  public static final class InvalidAddress extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public InvalidAddress(String address, String message) {
      super(address, message);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }

  /**
   * Enrolment could not go on: the certificate request is invalid (bad proof of possession, another
   * address, over a bound), or the account log could not be created as the enrolment requires. Not
   * retryable unchanged; the message says what to fix.
   */
  public static final class EnrolmentRefused extends DirectoryException {
    private static final long serialVersionUID = 1L;

    public EnrolmentRefused(String address, String message) {
      super(address, message);
    }

    public EnrolmentRefused(String address, String message, Throwable cause) {
      super(address, message, cause);
    }

    @Override
    public boolean retryable() {
      return false;
    }
  }
}
