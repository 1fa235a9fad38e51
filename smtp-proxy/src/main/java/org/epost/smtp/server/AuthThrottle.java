package org.epost.smtp.server;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Failed AUTH attempts per client address and per account, shared by every session of a listener
 * (docs/adr/0047). Before a password is checked, the attempt waits a delay that doubles with the
 * recent failures of its client address or of its account, whichever is larger; after enough
 * failures of one account, clients that are not on loopback are refused for that account for a
 * while. Loopback clients are never refused: the user's own mail client runs there and must not be
 * locked out by a guesser (who, if local, is slowed by the delay instead).
 *
 * <p>Failures are forgotten once none happened for the lock-out period. Both tables keep at most
 * {@code maxEntries} keys, least recently failed dropped first.
 *
 * <p>Thread-safe: one lock around both tables; the delay itself is waited outside it.
 */
final class AuthThrottle {
  private static final int MAX_ACCOUNT_KEY = 256;

  /** Recent failures of one key: count, time of the last, lock-out end (millis). */
  private static final class Record {
    int failures;
    long lastFailure;
    long lockedUntil;
  }

  private final Clock clock;
  private final long firstDelayMillis;
  private final long maxDelayMillis;
  private final int lockoutFailures;
  private final long lockoutMillis;
  private final Map<String, Record> clients;
  private final Map<String, Record> accounts;

  AuthThrottle(
      Clock clock,
      Duration firstDelay,
      Duration maxDelay,
      int lockoutFailures,
      Duration lockout,
      int maxEntries) {
    this.clock = clock;
    this.firstDelayMillis = firstDelay.toMillis();
    this.maxDelayMillis = maxDelay.toMillis();
    this.lockoutFailures = lockoutFailures;
    this.lockoutMillis = lockout.toMillis();
    this.clients = lru(maxEntries);
    this.accounts = lru(maxEntries);
  }

  private static Map<String, Record> lru(int max) {
    return new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Record> eldest) {
        return size() > max;
      }
    };
  }

  private static String accountKey(String account) {
    String k = account.toLowerCase(Locale.ROOT);
    return k.length() > MAX_ACCOUNT_KEY ? k.substring(0, MAX_ACCOUNT_KEY) : k;
  }

  /** Recent failures of a key, 0 once the lock-out period passed without one. */
  private int recent(Map<String, Record> table, String key, long now) {
    Record r = table.get(key);
    if (r == null) {
      return 0;
    }
    if (now - r.lastFailure > lockoutMillis && now >= r.lockedUntil) {
      table.remove(key);
      return 0;
    }
    return r.failures;
  }

  /** How long the next attempt of this client for this account waits before its check. */
  synchronized Duration delay(String client, String account) {
    long now = clock.millis();
    int n = Math.max(recent(clients, client, now), recent(accounts, accountKey(account), now));
    if (n == 0 || firstDelayMillis <= 0) {
      return Duration.ZERO;
    }
    long delay = firstDelayMillis << Math.min(n - 1, 30);
    return Duration.ofMillis(Math.min(maxDelayMillis, delay));
  }

  /** True if the account is locked and the client is not on loopback. */
  synchronized boolean refused(String account, boolean loopbackClient) {
    if (loopbackClient) {
      return false;
    }
    Record r = accounts.get(accountKey(account));
    return r != null && clock.millis() < r.lockedUntil;
  }

  synchronized void failed(String client, String account) {
    long now = clock.millis();
    count(clients, client, now);
    Record r = count(accounts, accountKey(account), now);
    if (r.failures >= lockoutFailures && now >= r.lockedUntil) {
      r.lockedUntil = now + lockoutMillis;
    }
  }

  /** A correct password: the client's own record is cleared (the account's is not). */
  synchronized void succeeded(String client) {
    clients.remove(client);
  }

  /** Keys tracked now, both tables (for tests of the bound). */
  synchronized int trackedKeys() {
    return clients.size() + accounts.size();
  }

  private Record count(Map<String, Record> table, String key, long now) {
    recent(table, key, now); // drops an expired record
    Record r = table.computeIfAbsent(key, k -> new Record());
    r.failures = Math.min(r.failures + 1, 1_000_000);
    r.lastFailure = now;
    return r;
  }
}
