package org.epost.imap.bench;

import org.junit.jupiter.api.Test;

/**
 * The measurements of docs/benchmarks/imap-proxy.md ("Hostile local programs"), run on request only
 * (the class name is outside surefire's default pattern):
 *
 * <pre>
 * mvn -o -B -pl imap-proxy test -Dtest=LimitsBench#flood  -Dsurefire.failIfNoSpecifiedTests=false
 * mvn -o -B -pl imap-proxy test -Dtest=LimitsBench#memory -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * Sizes: {@code -Dflood.connections} (20,000), {@code -Dflood.attackers} (1,000), {@code
 * -Dmemory.messages} (10,000).
 */
class LimitsBench {
  @Test
  void flood() throws Exception {
    FloodDriver.main(
        new String[] {
          "flood",
          System.getProperty("flood.connections", "20000"),
          System.getProperty("flood.attackers", "1000")
        });
  }

  @Test
  void memory() throws Exception {
    FloodDriver.main(new String[] {"memory", System.getProperty("memory.messages", "10000")});
  }
}
