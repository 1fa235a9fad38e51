package org.epost.imap.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Helpers for backends that check passwords. */
public final class Passwords {
  private Passwords() {}

  /** Compares two secrets in time independent of where they differ. */
  public static boolean constantTimeEquals(byte[] expected, byte[] given) {
    return MessageDigest.isEqual(expected, given);
  }

  /** Compares two passwords as UTF-8 bytes in constant time. */
  public static boolean constantTimeEquals(String expected, String given) {
    return constantTimeEquals(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }
}
