package org.epost.imap.server;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import org.epost.imap.api.ConnectionLimits;

/** The process's file descriptor budget, so that connections alone can never exhaust it. */
final class FileDescriptors {
  /** Never fewer connections than this, however tight the descriptor limit. */
  static final int MIN_CAP = 16;

  private FileDescriptors() {}

  /**
   * The configured connection cap, lowered to half the descriptors free now: the other half stays
   * for spooled literals, the backend, class loading and the JVM.
   */
  static int connectionCap(ConnectionLimits limits) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof UnixOperatingSystemMXBean unix) {
      long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount();
      if (free > 0) {
        return (int) Math.min(limits.maxConnections(), Math.max(MIN_CAP, free / 2));
      }
    }
    return limits.maxConnections();
  }
}
