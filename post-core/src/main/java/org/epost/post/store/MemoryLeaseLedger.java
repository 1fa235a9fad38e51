package org.epost.post.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.epost.post.api.MessageRef;

/**
 * A lease ledger in memory, ordered by expiry: the simulation's, and the index a durable ledger
 * keeps beside its file. Loop only.
 */
public final class MemoryLeaseLedger implements LeaseLedger {
  private static final Comparator<Lease> BY_EXPIRY =
      Comparator.comparingLong(Lease::expiryWallMillis)
          .thenComparing((a, b) -> Arrays.compare(a.ref().encode(), b.ref().encode()));

  private final Map<MessageRef, Lease> byRef = new HashMap<>();
  private final TreeSet<Lease> byExpiry = new TreeSet<>(BY_EXPIRY);

  @Override
  public Lease get(MessageRef ref) {
    return byRef.get(ref);
  }

  @Override
  public void put(Lease lease) {
    Lease old = byRef.put(lease.ref(), lease);
    if (old != null) {
      byExpiry.remove(old);
    }
    byExpiry.add(lease);
  }

  @Override
  public boolean remove(MessageRef ref) {
    Lease old = byRef.remove(ref);
    if (old == null) {
      return false;
    }
    byExpiry.remove(old);
    return true;
  }

  @Override
  public List<Lease> due(long wallMillis, int max) {
    List<Lease> out = new ArrayList<>();
    for (Lease l : byExpiry) {
      if (l.expiryWallMillis() >= wallMillis || out.size() >= max) {
        break;
      }
      out.add(l);
    }
    return out;
  }

  @Override
  public int size() {
    return byRef.size();
  }
}
