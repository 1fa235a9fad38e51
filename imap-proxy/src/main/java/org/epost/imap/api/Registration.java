package org.epost.imap.api;

/** Ends a {@link UserSession#watch} registration. Idempotent. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
  @Override
  void close();
}
