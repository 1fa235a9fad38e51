/**
 * Thin, allocation-conscious wrappers over the JDK's SHA-256, HMAC-SHA-256 (HKDF) and AES-256-GCM,
 * shared by the other packages of this module. The JDK providers are used because they are
 * intrinsified (AES-NI, carry-less multiply, AVX2 SHA-256) and measured faster than Bouncy Castle's
 * here (ADR 0010). Every class is thread-safe: per-thread {@code Cipher} and {@code MessageDigest}
 * instances are kept in {@link java.lang.ThreadLocal}s.
 */
package org.epost.crypto.primitives;
