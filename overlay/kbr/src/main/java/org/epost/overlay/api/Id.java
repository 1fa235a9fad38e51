package org.epost.overlay.api;

import java.nio.ByteBuffer;
import java.util.Comparator;

/**
 * A 160-bit identifier on the Pastry ring (node ids and keys share this space).
 *
 * <p>Immutable and compact: three primitive fields, no array. Arithmetic is modulo 2^160. Digits
 * are 4 bits wide (b = 4), so an id has {@value #DIGITS} digits, digit 0 being the most
 * significant. Ordering ({@link #compareTo}) is the unsigned numeric order.
 */
public final class Id implements Comparable<Id> {
  /** Bits in an id. */
  public static final int BITS = 160;

  /** Bits per digit (Pastry's b). */
  public static final int DIGIT_BITS = 4;

  /** Digits in an id. */
  public static final int DIGITS = BITS / DIGIT_BITS;

  /** Encoded length in bytes. */
  public static final int BYTES = 20;

  /** The id 0. */
  public static final Id ZERO = new Id(0, 0, 0);

  /** Half the ring, 2^159. */
  public static final Id HALF = new Id(Long.MIN_VALUE, 0, 0);

  private static final long LOW_MASK = 0xFFFF_FFFFL;

  private final long hi; // bits 159..96
  private final long mid; // bits 95..32
  private final int lo; // bits 31..0

  private Id(long hi, long mid, int lo) {
    this.hi = hi;
    this.mid = mid;
    this.lo = lo;
  }

  /** An id from its three parts, most significant first (bits 159..96, 95..32, 31..0). */
  public static Id of(long hi, long mid, int lo) {
    return new Id(hi, mid, lo);
  }

  /** A uniformly random id drawn from {@code random}. */
  public static Id random(RandomSource random) {
    return new Id(random.nextLong(), random.nextLong(), (int) random.nextLong());
  }

  /**
   * Parses 40 hexadecimal digits (case-insensitive).
   *
   * @throws IllegalArgumentException if {@code hex} is not exactly 40 hex digits
   */
  public static Id fromHex(String hex) {
    if (hex.length() != DIGITS) {
      throw new IllegalArgumentException(
          "an id is 40 hex digits, got " + hex.length() + " characters");
    }
    long h = 0;
    long m = 0;
    long l = 0;
    for (int i = 0; i < DIGITS; i++) {
      int d = Character.digit(hex.charAt(i), 16);
      if (d < 0) {
        throw new IllegalArgumentException(
            "not a hex digit at position " + i + ": " + hex.charAt(i));
      }
      if (i < 16) {
        h = (h << 4) | d;
      } else if (i < 32) {
        m = (m << 4) | d;
      } else {
        l = (l << 4) | d;
      }
    }
    return new Id(h, m, (int) l);
  }

  /** Reads 20 bytes, big-endian, from {@code in}. */
  public static Id read(ByteBuffer in) {
    return new Id(in.getLong(), in.getLong(), in.getInt());
  }

  /** An id from 20 big-endian bytes. */
  public static Id fromBytes(byte[] bytes) {
    if (bytes.length != BYTES) {
      throw new IllegalArgumentException("an id is 20 bytes, got " + bytes.length);
    }
    return read(ByteBuffer.wrap(bytes));
  }

  /**
   * True if the 20 bytes of {@code buf} at absolute {@code index} are this id's encoding; reads
   * without moving the buffer's position and without allocating. The caller checks that 20 bytes
   * are there.
   */
  public boolean matches(ByteBuffer buf, int index) {
    return buf.getLong(index) == hi
        && buf.getLong(index + 8) == mid
        && buf.getInt(index + 16) == lo;
  }

  /** Writes the 20 big-endian bytes to {@code out}. */
  public void write(ByteBuffer out) {
    out.putLong(hi).putLong(mid).putInt(lo);
  }

  /** The 20 big-endian bytes. */
  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    write(b);
    return b.array();
  }

  /** 40 lower-case hex digits. */
  public String toHex() {
    StringBuilder sb = new StringBuilder(DIGITS);
    for (int i = 0; i < DIGITS; i++) {
      sb.append(Character.forDigit(digit(i), 16));
    }
    return sb.toString();
  }

  /** Digit {@code i} (0 = most significant), in 0..15. */
  public int digit(int i) {
    if (i < 0 || i >= DIGITS) {
      throw new IndexOutOfBoundsException("digit " + i);
    }
    int bit = i * DIGIT_BITS;
    if (bit < 64) {
      return (int) (hi >>> (60 - bit)) & 0xF;
    } else if (bit < 128) {
      return (int) (mid >>> (124 - bit)) & 0xF;
    } else {
      return (lo >>> (156 - bit)) & 0xF;
    }
  }

  /** The number of leading digits this id shares with {@code other} (40 if equal). */
  public int sharedPrefixLength(Id other) {
    long x = hi ^ other.hi;
    if (x != 0) {
      return Long.numberOfLeadingZeros(x) / DIGIT_BITS;
    }
    x = mid ^ other.mid;
    if (x != 0) {
      return 16 + Long.numberOfLeadingZeros(x) / DIGIT_BITS;
    }
    int y = lo ^ other.lo;
    if (y != 0) {
      return 32 + Integer.numberOfLeadingZeros(y) / DIGIT_BITS;
    }
    return DIGITS;
  }

  /** (this + other) mod 2^160. */
  public Id add(Id other) {
    long l = (lo & LOW_MASK) + (other.lo & LOW_MASK);
    long carry = l >>> 32;
    long m = mid + other.mid;
    long carry2 = Long.compareUnsigned(m, mid) < 0 ? 1 : 0;
    long m2 = m + carry;
    if (carry != 0 && m2 == 0) {
      carry2 = 1;
    }
    return new Id(hi + other.hi + carry2, m2, (int) l);
  }

  /** (this - other) mod 2^160. */
  public Id subtract(Id other) {
    long l = (lo & LOW_MASK) - (other.lo & LOW_MASK);
    long borrow = l < 0 ? 1 : 0;
    long m = mid - other.mid;
    long borrow2 = Long.compareUnsigned(mid, other.mid) < 0 ? 1 : 0;
    long m2 = m - borrow;
    if (borrow != 0 && m == 0) {
      borrow2 = 1;
    }
    return new Id(hi - other.hi - borrow2, m2, (int) l);
  }

  /**
   * Distance going clockwise (increasing ids) from this id to {@code other}: (other - this) mod
   * 2^160.
   */
  public Id clockwiseDistance(Id other) {
    return other.subtract(this);
  }

  /** Distance going anticlockwise from this id to {@code other}: (this - other) mod 2^160. */
  public Id anticlockwiseDistance(Id other) {
    return subtract(other);
  }

  /**
   * {@code clockwiseDistance(a).compareTo(clockwiseDistance(b))}, without allocating: an id at or
   * after this one is nearer clockwise than one before it (whose way round wraps past zero); within
   * each group the numeric order decides.
   */
  public int compareClockwiseDistances(Id a, Id b) {
    boolean aWraps = a.compareTo(this) < 0;
    boolean bWraps = b.compareTo(this) < 0;
    if (aWraps != bWraps) {
      return aWraps ? 1 : -1;
    }
    return a.compareTo(b);
  }

  /** {@code anticlockwiseDistance(a).compareTo(anticlockwiseDistance(b))}, without allocating. */
  public int compareAnticlockwiseDistances(Id a, Id b) {
    boolean aWraps = a.compareTo(this) > 0;
    boolean bWraps = b.compareTo(this) > 0;
    if (aWraps != bWraps) {
      return aWraps ? 1 : -1;
    }
    return b.compareTo(a);
  }

  /** The shorter way round the ring between this id and {@code other}; at most 2^159. */
  public Id ringDistance(Id other) {
    Id cw = clockwiseDistance(other);
    Id acw = anticlockwiseDistance(other);
    return cw.compareTo(acw) <= 0 ? cw : acw;
  }

  /**
   * True when {@code a} is strictly closer to this id (ring distance) than {@code b}; a tie is
   * broken deterministically in favour of the node clockwise of this id.
   */
  public boolean isCloser(Id a, Id b) {
    int c = compareRingDistances(a, b);
    if (c != 0) {
      return c < 0;
    }
    return !a.equals(b) && compareClockwiseDistances(a, b) < 0;
  }

  /**
   * {@code ringDistance(a).compareTo(ringDistance(b))}, without allocating (it runs for every pair
   * a replica set or a leaf set sorts).
   */
  public int compareRingDistances(Id a, Id b) {
    // a - this, as three words (lo in the low 32 bits of a long)
    long al = (a.lo & LOW_MASK) - (lo & LOW_MASK);
    long aBorrow = al < 0 ? 1 : 0;
    al &= LOW_MASK;
    long am = a.mid - mid - aBorrow;
    long ah = a.hi - hi - (borrows(a.mid, mid, aBorrow) ? 1 : 0);
    // the shorter way round: min(d, 2^160 - d)
    if (ah < 0) { // d >= 2^159: 2^160 - d is at most 2^159 and shorter or equal
      long nl = (-al) & LOW_MASK;
      long carry = al == 0 ? 1 : 0;
      long nm = ~am + carry;
      long nh = ~ah + (carry == 1 && am == 0 ? 1 : 0);
      al = nl;
      am = nm;
      ah = nh;
    }
    long bl = (b.lo & LOW_MASK) - (lo & LOW_MASK);
    long bBorrow = bl < 0 ? 1 : 0;
    bl &= LOW_MASK;
    long bm = b.mid - mid - bBorrow;
    long bh = b.hi - hi - (borrows(b.mid, mid, bBorrow) ? 1 : 0);
    if (bh < 0) {
      long nl = (-bl) & LOW_MASK;
      long carry = bl == 0 ? 1 : 0;
      long nm = ~bm + carry;
      long nh = ~bh + (carry == 1 && bm == 0 ? 1 : 0);
      bl = nl;
      bm = nm;
      bh = nh;
    }
    int c = Long.compareUnsigned(ah, bh);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(am, bm);
    if (c != 0) {
      return c;
    }
    return Long.compare(al, bl);
  }

  /** Whether {@code x - y - borrowIn} borrows from the next word (unsigned 64-bit words). */
  private static boolean borrows(long x, long y, long borrowIn) {
    int c = Long.compareUnsigned(x, y);
    return c < 0 || (c == 0 && borrowIn != 0);
  }

  /** Orders ids by their closeness to {@code key} (closest first), ties as in {@link #isCloser}. */
  public static Comparator<Id> byClosenessTo(Id key) {
    return (a, b) -> a.equals(b) ? 0 : key.isCloser(a, b) ? -1 : 1;
  }

  /** Approximate position on the ring in [0, 1), for plots and logs. */
  public double toFraction() {
    return (hi >>> 11) * 0x1.0p-53;
  }

  @Override
  public int compareTo(Id o) {
    int c = Long.compareUnsigned(hi, o.hi);
    if (c != 0) {
      return c;
    }
    c = Long.compareUnsigned(mid, o.mid);
    if (c != 0) {
      return c;
    }
    return Integer.compareUnsigned(lo, o.lo);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Id && ((Id) o).hi == hi && ((Id) o).mid == mid && ((Id) o).lo == lo;
  }

  @Override
  public int hashCode() {
    return (int) (hi ^ (hi >>> 32)) * 31 + (int) (mid ^ (mid >>> 29)) + lo;
  }

  /** The first 10 hex digits, enough to tell ids apart in logs. */
  @Override
  public String toString() {
    return "<" + toHex().substring(0, 10) + ">";
  }
}
