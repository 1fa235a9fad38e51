package org.epost.mail.daemon;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.epost.mail.delivery.NewMail;

/**
 * The daemon of {@code epost run} that the tray can pause and resume (ADR 0134). Pausing stops the
 * daemon as SIGTERM does (SMTP refuses new work while submissions in flight finish, the proxies
 * close, delivery and the accounts stop, the node leaves the ring with its store flushed), but the
 * process, the tray and the unlocked keys stay; resuming starts a new daemon on the same data
 * directory and configuration with those keys, so the passphrase is not asked again. While paused,
 * mail for this user waits on the ring (notifications stay pending) and the user's mail client
 * cannot connect.
 *
 * <p>Threads: any; {@link #pause} and {@link #resume} block for as long as the stop or the start
 * takes, one at a time.
 */
public final class DaemonHost implements AutoCloseable {
  private final DataDirectory data;
  private final DaemonConfig config;
  private final Daemon.Keys keys;
  private final List<DaemonListener> listeners = new CopyOnWriteArrayList<>();
  private final DaemonListener fanOut =
      new DaemonListener() {
        @Override
        public void stateChanged(String phase) {
          listeners.forEach(l -> l.stateChanged(phase));
        }

        @Override
        public void verifiedMail(NewMail mail) {
          listeners.forEach(l -> l.verifiedMail(mail));
        }
      };
  private Daemon daemon; // guarded by this; null while paused or closed
  private boolean closed; // guarded by this

  private DaemonHost(DataDirectory data, DaemonConfig config, Daemon.Keys keys) {
    this.data = data;
    this.config = config;
    this.keys = keys;
  }

  /**
   * Starts the daemon on {@code data} with {@code keys}.
   *
   * @throws IOException as {@link Daemon#start(DataDirectory, DaemonConfig, char[])}
   */
  public static DaemonHost start(DataDirectory data, DaemonConfig config, Daemon.Keys keys)
      throws IOException {
    DaemonHost h = new DaemonHost(data, config, keys);
    h.daemon = Daemon.start(data, config, keys, h.fanOut);
    return h;
  }

  /** Adds a listener of the daemon's phases and verified new mail (also across pause/resume). */
  public void addListener(DaemonListener l) {
    listeners.add(l);
  }

  /** The running daemon; empty while paused. */
  public synchronized Optional<Daemon> daemon() {
    return Optional.ofNullable(daemon);
  }

  /** Whether the daemon is paused. */
  public synchronized boolean paused() {
    return daemon == null && !closed;
  }

  /** The configuration the daemon runs with. */
  public DaemonConfig config() {
    return config;
  }

  /** Stops the daemon cleanly (as SIGTERM does) and keeps the keys; no-op if paused. */
  public synchronized void pause() {
    if (daemon == null) {
      return;
    }
    daemon.close();
    daemon = null;
    fanOut.stateChanged("paused");
  }

  /**
   * Starts the daemon again after {@link #pause}; no-op if it runs.
   *
   * @throws IOException if it cannot start (the ring is not reached, a port is taken); it stays
   *     paused
   */
  public synchronized void resume() throws IOException {
    if (daemon != null || closed) {
      return;
    }
    daemon = Daemon.start(data, config, keys, fanOut);
  }

  /** Stops the daemon for good; idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (daemon != null) {
      daemon.close();
      daemon = null;
    }
  }
}
