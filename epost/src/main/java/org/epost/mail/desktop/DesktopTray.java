package org.epost.mail.desktop;

import dorkbox.systemTray.MenuItem;
import dorkbox.systemTray.Separator;
import dorkbox.systemTray.SystemTray;
import java.awt.Toolkit;
import java.awt.datatransfer.StringSelection;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.MessageRecord;
import org.epost.imap.api.UserSession;
import org.epost.mail.api.ClientSettings;
import org.epost.mail.api.MailAccount;
import org.epost.mail.daemon.Daemon;
import org.epost.mail.daemon.DaemonHost;
import org.epost.mail.daemon.DaemonListener;
import org.epost.mail.delivery.NewMail;

/**
 * The tray icon (ADR 0133), with dorkbox SystemTray (StatusNotifier/AppIndicator, GTK and XEmbed
 * trays): the icon's colour is the daemon's health (online, syncing, offline, problem; grey when
 * paused), its badge and tooltip the unread count (INBOX messages without {@code \Seen}); a
 * notification for each new message from a verified sender; a menu: the status page (a one-time URL
 * in the browser), copy the IMAP/SMTP settings or the password, pause/resume, quit.
 *
 * <p>Threads: one {@code epost-tray} thread reads the daemon (health every {@value
 * #REFRESH_SECONDS} s and after every phase change, unread counts every {@value #UNREAD_SECONDS} s
 * and after new mail) and runs the menu's actions; the tray library's own thread calls the menu
 * back, which only hands work to {@code epost-tray}.
 */
final class DesktopTray implements DaemonListener, AutoCloseable {
  private static final System.Logger LOG = System.getLogger("org.epost.mail.desktop");
  static final int REFRESH_SECONDS = 5;
  static final int UNREAD_SECONDS = 30;

  private final DaemonHost host;
  private final SystemTray tray;
  private final PrintStream out;
  private final Notifier notifier;
  private final ScheduledExecutorService worker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "epost-tray");
            t.setDaemon(true);
            return t;
          });
  private final MenuItem statusLine = new MenuItem("ePOST: starting");
  private final MenuItem pauseItem = new MenuItem("Pause ePOST");
  private TrayState shown; // on the worker
  private int unread = -1; // on the worker
  private long unreadReadAt; // on the worker, nanos

  private DesktopTray(DaemonHost host, SystemTray tray, PrintStream out) {
    this.host = host;
    this.tray = tray;
    this.out = out;
    this.notifier = new Notifier(this::openMailClient);
  }

  /** Shows the tray for {@code host}; empty when the desktop has no tray. */
  static Optional<DesktopTray> start(DaemonHost host, PrintStream out) {
    dorkbox.updates.Updates.INSTANCE.setENABLE(false); // no update check over the network
    SystemTray tray = SystemTray.get("epost");
    if (tray == null) {
      return Optional.empty();
    }
    DesktopTray t = new DesktopTray(host, tray, out);
    t.buildMenu();
    host.addListener(t);
    out.println("tray shown: " + tray.getType());
    out.flush();
    t.worker.execute(() -> t.refresh(true));
    t.worker.scheduleWithFixedDelay(
        () -> t.refresh(false), REFRESH_SECONDS, REFRESH_SECONDS, TimeUnit.SECONDS);
    return Optional.of(t);
  }

  private void buildMenu() {
    tray.setTooltip("ePOST");
    tray.setImage(TrayIcons.icon(TrayState.SYNCING, 0));
    var menu = tray.getMenu();
    statusLine.setEnabled(false);
    menu.add(statusLine);
    menu.add(new Separator());
    menu.add(new MenuItem("Open status page", e -> worker.execute(this::openStatusPage)));
    menu.add(
        new MenuItem("Copy IMAP/SMTP settings", e -> worker.execute(() -> copySettings(false))));
    menu.add(new MenuItem("Copy password", e -> worker.execute(() -> copySettings(true))));
    pauseItem.setCallback(e -> worker.execute(this::togglePause));
    menu.add(pauseItem);
    menu.add(new Separator());
    menu.add(new MenuItem("Quit ePOST", e -> quit()));
  }

  // ---- what the daemon tells ----

  @Override
  public void stateChanged(String phase) {
    worker.execute(() -> refresh(true));
  }

  @Override
  public void verifiedMail(NewMail mail) {
    worker.execute(
        () -> {
          notifier.show(mail);
          unreadReadAt = 0;
          refresh(true);
        });
  }

  // ---- on the worker ----

  private void refresh(boolean force) {
    try {
      Optional<Daemon> d = host.daemon();
      TrayState state = d.isEmpty() ? TrayState.PAUSED : TrayState.ofHealth(d.get().health());
      int u = unread;
      if (d.isPresent()
          && (unreadReadAt == 0
              || System.nanoTime() - unreadReadAt > UNREAD_SECONDS * 1_000_000_000L)) {
        u = unread(d.get());
        unreadReadAt = System.nanoTime();
      }
      if (state != shown || u != unread || force) {
        boolean changed = state != shown;
        shown = state;
        unread = u;
        tray.setImage(TrayIcons.icon(state, Math.max(0, u)));
        String text = "ePOST: " + state.label + (u > 0 ? " \u00b7 " + u + " unread" : "");
        tray.setTooltip(text);
        statusLine.setText(text);
        pauseItem.setText(state == TrayState.PAUSED ? "Resume ePOST" : "Pause ePOST");
        if (changed) {
          out.println("tray state " + state.label + " unread " + Math.max(0, u));
          out.flush();
        }
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "tray refresh failed: {0}", e.toString());
    }
  }

  /** INBOX messages without {@code \Seen}, over the served accounts. */
  static int unread(Daemon d) {
    int n = 0;
    for (String address : d.servedAccounts()) {
      Optional<MailAccount> a = d.account(address);
      if (a.isEmpty()) {
        continue;
      }
      try (UserSession s = a.get().openSession()) {
        MailboxSnapshot snap = s.snapshot("INBOX");
        for (MessageRecord m : snap.messages()) {
          if (!m.flags().contains("\\Seen")) {
            n++;
          }
        }
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "unread count of {0}: {1}", address, e.toString());
      }
    }
    return n;
  }

  private void openStatusPage() {
    Optional<String> url =
        host.daemon().flatMap(Daemon::statusPage).map(p -> p.oneTimeUrl("/").toString());
    if (url.isEmpty()) {
      LOG.log(Level.INFO, "no status page (paused, or status.listen is off)");
      return;
    }
    open(url.get());
  }

  private void copySettings(boolean password) {
    List<ClientSettings> all = host.daemon().map(Daemon::clientSettings).orElse(List.of());
    if (all.isEmpty()) {
      return;
    }
    StringBuilder b = new StringBuilder();
    for (ClientSettings c : all) {
      b.append(password ? c.password() : c.text(false)).append(all.size() > 1 ? "\n" : "");
    }
    Toolkit.getDefaultToolkit()
        .getSystemClipboard()
        .setContents(new StringSelection(b.toString().strip()), null);
  }

  private void togglePause() {
    if (host.paused()) {
      try {
        host.resume();
      } catch (IOException e) {
        LOG.log(Level.WARNING, "ePOST could not resume: {0}", e.getMessage());
      }
    } else {
      host.pause();
    }
    refresh(true);
  }

  /** The imap URL (RFC 5092) of the account's INBOX, opened with the desktop's handler. */
  private void openMailClient(NewMail mail) {
    host.daemon().map(Daemon::clientSettings).orElse(List.of()).stream()
        .filter(c -> c.address().equalsIgnoreCase(mail.account()))
        .findFirst()
        .ifPresent(
            c ->
                open(
                    "imap://"
                        + URLEncoder.encode(c.address(), StandardCharsets.UTF_8)
                        + "@"
                        + c.imapHost()
                        + ":"
                        + c.imap().getPort()
                        + "/INBOX"));
  }

  static void open(String url) {
    String xdg = Notifier.onPath("xdg-open");
    if (xdg == null) {
      LOG.log(Level.WARNING, "no xdg-open on PATH; open {0} yourself", url);
      return;
    }
    try {
      new ProcessBuilder(xdg, url)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "xdg-open failed: {0}", e.getMessage());
    }
  }

  /** Quit: the process ends, and its shutdown hook stops the daemon in order. */
  private static void quit() {
    new Thread(() -> System.exit(0), "epost-quit").start();
  }

  @Override
  public void close() {
    worker.shutdownNow();
    notifier.close();
    tray.shutdown();
  }
}
