package org.epost.post.log;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.epost.post.api.LogLocalState;

/**
 * Local state in memory: what a simulated node keeps across its own restarts within one run (the
 * simulation hands the same instance to the node's next incarnation). {@link #copy()} is a backup.
 */
public final class MemoryLogLocalState implements LogLocalState {
  static final Pattern KEY = Pattern.compile("[a-z0-9][a-z0-9._/-]{0,119}");

  private final Map<String, byte[]> values = new HashMap<>();

  @Override
  public byte[] read(String key) {
    byte[] v = values.get(key);
    return v == null ? null : v.clone();
  }

  @Override
  public CompletionStage<Void> write(String key, byte[] value) {
    check(key, value);
    values.put(key, value.clone());
    return CompletableFuture.completedFuture(null);
  }

  /** A copy of everything held now: a backup to restore later. */
  public MemoryLogLocalState copy() {
    MemoryLogLocalState c = new MemoryLogLocalState();
    values.forEach((k, v) -> c.values.put(k, v.clone()));
    return c;
  }

  static void check(String key, byte[] value) {
    if (!KEY.matcher(key).matches() || key.contains("..") || key.endsWith(".tmp")) {
      throw new IllegalArgumentException("bad local state key: " + key);
    }
    if (value.length > MAX_VALUE) {
      throw new IllegalArgumentException("local state value over " + MAX_VALUE + " bytes");
    }
  }
}
