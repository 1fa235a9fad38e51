package org.epost.imap.server;

import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.epost.imap.api.BackendException;
import org.epost.imap.api.ImapServerConfig;
import org.epost.imap.api.MailboxBackend;
import org.epost.imap.api.MailboxChanges;
import org.epost.imap.api.MailboxSnapshot;
import org.epost.imap.api.UserSession;
import org.epost.imap.codec.CommandFrame;
import org.epost.imap.codec.CommandReader;
import org.epost.imap.codec.ImapParseException;

/**
 * One IMAP connection's protocol state: the state machine of RFC 3501 section 3, command dispatch,
 * authentication, IDLE and the unsolicited-response rules.
 *
 * <p>Threading: every method except {@link #mailboxChanged()} runs on the connection's {@link
 * SerialExecutor}, one command at a time, so fields need no locks. Backend calls block that worker
 * thread (bounded by the backend timeout), never the network event loop.
 */
final class ImapSession {
  static final String CAPABILITIES =
      "IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS MOVE NAMESPACE ID ENABLE "
          + "SPECIAL-USE UNSELECT CHILDREN CONDSTORE QRESYNC ESEARCH LIST-EXTENDED LIST-STATUS "
          + "SORT SORT=DISPLAY ESORT THREAD=ORDEREDSUBJECT THREAD=REFERENCES MULTIAPPEND BINARY UTF8=ACCEPT CATENATE CONTEXT=SEARCH CONTEXT=SORT AUTH=PLAIN";
  private static final System.Logger LOG = System.getLogger(ImapSession.class.getName());
  private static final Set<String> NO_EXPUNGE_COMMANDS =
      Set.of("FETCH", "STORE", "SEARCH", "SORT", "THREAD");

  final ImapServerConfig config;
  final MailboxBackend backend;
  final StructureCache cache;
  final RecentTracker recent;
  final Responder out;
  private final Runnable closeAction;
  private final Runnable onAuthenticated;
  SessionState state = SessionState.NOT_AUTHENTICATED;
  UserSession user;
  String userName;
  SelectedMailbox selected;
  private String idleTag;
  private String authTag;
  private final SerialExecutor executor;
  private final AtomicBoolean wakeScheduled = new AtomicBoolean();
  private final ConnectionGuard guard;
  private final InetAddress clientAddress;
  private int loginFailures;

  /** RFC 7162: CONDSTORE enabled (by ENABLE, SELECT (CONDSTORE), FETCH MODSEQ and the like). */
  boolean condstore;

  /** RFC 7162: QRESYNC enabled (only by ENABLE): VANISHED instead of EXPUNGE. */
  boolean qresync;

  /** RFC 5267 searches kept up to date while the mailbox stays selected. */
  final LiveSearches live = new LiveSearches(this);

  /** RFC 6855 UTF8=ACCEPT enabled: mailbox names are UTF-8 on the wire, not modified UTF-7. */
  boolean utf8;

  /** A mailbox name from the wire, in Unicode (may throw IllegalArgumentException). */
  String decodeName(String wire) {
    return utf8 ? wire : org.epost.imap.codec.ModifiedUtf7.decode(wire);
  }

  /** A mailbox name for the wire. */
  String encodeName(String name) {
    return utf8 ? name : org.epost.imap.codec.ModifiedUtf7.encode(name);
  }

  /** Set while parsing a SEARCH that has a MODSEQ key (its response then ends with MODSEQ). */
  boolean modSeqSearched;

  ImapSession(
      ImapServerConfig config,
      MailboxBackend backend,
      StructureCache cache,
      RecentTracker recent,
      Responder out,
      SerialExecutor executor,
      Runnable closeAction,
      Runnable onAuthenticated,
      ConnectionGuard guard,
      InetAddress clientAddress) {
    this.guard = guard;
    this.clientAddress = clientAddress;
    this.config = config;
    this.backend = backend;
    this.cache = cache;
    this.recent = recent;
    this.out = out;
    this.executor = executor;
    this.closeAction = closeAction;
    this.onAuthenticated = onAuthenticated;
  }

  void greet() {
    out.untagged("OK [CAPABILITY " + CAPABILITIES + "] ePOST IMAP proxy ready");
    out.flush();
  }

  /** Handles one framed command (or continuation line). */
  void handle(CommandFrame frame) {
    try {
      if (state == SessionState.LOGOUT) {
        return;
      }
      if (frame.isError()) {
        String tag = frame.errorTag() == null ? "*" : frame.errorTag();
        out.tagged(tag, "BAD " + frame.error());
        return;
      }
      if (idleTag != null) {
        finishIdle(frame);
        return;
      }
      if (authTag != null) {
        finishAuthenticate(frame.firstLine().trim());
        return;
      }
      command(frame);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "unexpected failure handling a command", e);
      out.untagged("BYE Internal server error");
      logout();
    } finally {
      frame.release();
      out.flush();
    }
  }

  private void command(CommandFrame frame) {
    CommandReader r = new CommandReader(frame, config.maxNesting());
    String tag;
    try {
      tag = r.atom("(){%*\"\\+");
      r.space();
    } catch (ImapParseException e) {
      out.untagged("BAD Missing or invalid command tag");
      return;
    }
    String name = "";
    boolean uid = false;
    try {
      name = r.upperAtom();
      if (name.equals("UID")) {
        r.space();
        name = r.upperAtom();
        uid = true;
      }
      dispatch(tag, name, uid, r);
    } catch (ImapParseException e) {
      out.tagged(tag, "BAD " + e.getMessage());
    } catch (CommandFailed e) {
      syncIfSelected(!uid && NO_EXPUNGE_COMMANDS.contains(name) ? false : true);
      out.tagged(tag, e.getMessage());
    }
  }

  private void dispatch(String tag, String name, boolean uid, CommandReader r)
      throws ImapParseException, CommandFailed {
    if (uid
        && !Set.of("FETCH", "STORE", "SEARCH", "SORT", "THREAD", "COPY", "MOVE", "EXPUNGE")
            .contains(name)) {
      throw new ImapParseException("UID " + name + " is not a command");
    }
    switch (name) {
      case "CAPABILITY" -> {
        r.end();
        out.untagged("CAPABILITY " + CAPABILITIES);
        ok(tag, "CAPABILITY completed");
      }
      case "NOOP", "CHECK" -> {
        r.end();
        if (name.equals("CHECK")) {
          requireSelected();
        }
        ok(tag, name + " completed");
      }
      case "LOGOUT" -> {
        r.end();
        out.untagged("BYE ePOST IMAP proxy logging out");
        out.tagged(tag, "OK LOGOUT completed");
        logout();
      }
      case "ID" -> {
        r.space();
        if (r.tryConsume('(')) {
          while (!r.tryConsume(')')) {
            r.tryConsume(' ');
            r.astring();
          }
        } else {
          r.atom();
        }
        r.end();
        out.untagged("ID (\"name\" \"ePOST IMAP proxy\" \"vendor\" \"ePOST\")");
        ok(tag, "ID completed");
      }
      case "STARTTLS" ->
          throw CommandFailed.bad("STARTTLS is not offered: this server listens on loopback only");
      case "LOGIN" -> {
        requireState(SessionState.NOT_AUTHENTICATED);
        r.space();
        String u = r.astring();
        r.space();
        String p = r.astring();
        r.end();
        login(tag, u, p);
      }
      case "AUTHENTICATE" -> {
        requireState(SessionState.NOT_AUTHENTICATED);
        r.space();
        String mech = r.upperAtom();
        if (!mech.equals("PLAIN")) {
          throw CommandFailed.no(null, "Unsupported authentication mechanism " + mech);
        }
        if (r.tryConsume(' ')) {
          String initial = r.atom("");
          r.end();
          authenticatePlain(tag, initial);
        } else {
          r.end();
          authTag = tag;
          out.continuation("");
        }
      }
      case "IDLE" -> {
        requireAuthenticated();
        r.end();
        idleTag = tag;
        syncIfSelected(true);
        out.continuation("idling");
      }
      case "ENABLE" -> {
        requireAuthenticated();
        List<String> asked = new java.util.ArrayList<>();
        do {
          r.space();
          asked.add(r.upperAtom());
        } while (!r.atEnd());
        StringBuilder enabled = new StringBuilder("ENABLED");
        for (String ext : asked) {
          if (ext.equals("CONDSTORE") && !condstore) {
            condstore = true;
            enabled.append(" CONDSTORE");
          } else if (ext.equals("QRESYNC") && !qresync) {
            // QRESYNC implies CONDSTORE (RFC 7162 3.2.3); ENABLED lists what was asked
            qresync = true;
            condstore = true;
            enabled.append(" QRESYNC");
          } else if (ext.equals("UTF8=ACCEPT") && !utf8) {
            utf8 = true;
            enabled.append(" UTF8=ACCEPT");
          }
        }
        out.untagged(enabled.toString());
        ok(tag, "ENABLE completed");
      }
      case "NAMESPACE" -> {
        requireAuthenticated();
        r.end();
        out.untagged("NAMESPACE ((\"\" " + delimiterString() + ")) NIL NIL");
        ok(tag, "NAMESPACE completed");
      }
      case "SELECT",
          "EXAMINE",
          "CREATE",
          "DELETE",
          "RENAME",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "LIST",
          "LSUB",
          "STATUS" -> {
        requireAuthenticated();
        MailboxCommands.run(this, tag, name, r);
      }
      case "APPEND" -> {
        requireAuthenticated();
        MessageCommands.append(this, tag, r);
      }
      case "CLOSE", "UNSELECT" -> {
        requireSelected();
        r.end();
        if (name.equals("CLOSE") && !selected.readOnly) {
          run(() -> user.expunge(selected.name, null));
        }
        deselect();
        out.tagged(tag, "OK " + name + " completed");
      }
      case "EXPUNGE", "STORE", "COPY", "MOVE" -> {
        requireSelected();
        syncIfSelected(uid || !name.equals("STORE"));
        MessageCommands.run(this, tag, name, uid, r);
      }
      case "FETCH" -> {
        requireSelected();
        syncIfSelected(uid);
        FetchCommand.run(this, tag, uid, r);
      }
      case "SEARCH" -> {
        requireSelected();
        syncIfSelected(uid);
        SearchCommand.run(this, tag, uid, r);
      }
      case "CANCELUPDATE" -> {
        // RFC 5267 4.3: stop keeping searches up to date
        requireSelected();
        List<String> tags = new java.util.ArrayList<>();
        do {
          r.space();
          tags.add(r.string());
        } while (!r.atEnd());
        r.end();
        boolean all = true;
        for (String t : tags) {
          all &= live.cancel(t);
        }
        if (!all) {
          throw CommandFailed.no(null, "Unknown tag");
        }
        ok(tag, "CANCELUPDATE completed");
      }
      case "SORT" -> {
        requireSelected();
        syncIfSelected(uid);
        SortCommand.sort(this, tag, uid, r);
      }
      case "THREAD" -> {
        requireSelected();
        syncIfSelected(uid);
        SortCommand.thread(this, tag, uid, r);
      }
      default -> throw new ImapParseException("Unknown command " + name);
    }
  }

  /** Sends unsolicited updates then the tagged OK. */
  void ok(String tag, String text) {
    syncIfSelected(true);
    out.tagged(tag, "OK " + text);
  }

  /** Tagged OK after a command during which EXPUNGE responses are forbidden (RFC 3501 7.4.1). */
  void okNoExpunge(String tag, String text) {
    syncIfSelected(false);
    out.tagged(tag, "OK " + text);
  }

  void syncIfSelected(boolean allowExpunge) {
    if (selected == null || user == null) {
      return;
    }
    if (!selected.takeDirty() && !(allowExpunge && selected.hasPendingExpunges())) {
      return;
    }
    SelectedMailbox sel = selected;
    try {
      MailboxChanges changes = call(() -> user.changesSince(sel.name, sel.highestModSeq));
      if (changes.expungesComplete() && changes.uidValidity() == sel.uidValidity) {
        sel.apply(changes, allowExpunge, mode(), out);
      } else {
        MailboxSnapshot snapshot = call(() -> user.snapshot(sel.name));
        sel.sync(snapshot, allowExpunge, mode(), out);
      }
    } catch (CommandFailed e) {
      sel.markDirty();
    }
  }

  /** Called by a backend thread when the selected mailbox changes. */
  void mailboxChanged() {
    SelectedMailbox s = selected;
    if (s != null) {
      s.markDirty();
    }
    if (!wakeScheduled.compareAndSet(false, true)) {
      return;
    }
    executor.execute(
        () -> {
          wakeScheduled.set(false);
          if (idleTag != null) {
            syncIfSelected(true);
            out.flush();
          }
        });
  }

  private void finishIdle(CommandFrame frame) {
    String tag = idleTag;
    idleTag = null;
    if (frame.firstLine().trim().equalsIgnoreCase("DONE") && frame.parts().size() == 1) {
      ok(tag, "IDLE terminated");
    } else {
      out.tagged(tag, "BAD Expected DONE to end IDLE");
    }
  }

  private void login(String tag, String u, String p) throws CommandFailed {
    UserSession session;
    try {
      session = call(() -> backend.authenticate(u, p));
    } catch (CommandFailed e) {
      if (!"AUTHENTICATIONFAILED".equals(e.code())) {
        throw e;
      }
      loginFailed(tag, e.getMessage());
      return;
    }
    if (session == null) {
      loginFailed(tag, "NO [AUTHENTICATIONFAILED] Invalid credentials");
      return;
    }
    user = session;
    userName = u;
    state = SessionState.AUTHENTICATED;
    onAuthenticated.run();
    out.tagged(tag, "OK [CAPABILITY " + CAPABILITIES + "] Logged in");
  }

  /**
   * A wrong password: the answer is held back for a delay that doubles with each failure on this
   * connection or from this address (ADR 0037), without holding a thread, and after {@code
   * maxAuthFailures} the connection is closed. Commands pipelined behind wait too.
   */
  private void loginFailed(String tag, String response) {
    loginFailures++;
    int fromAddress = guard.recordFailure(clientAddress);
    long delay = guard.failureDelayMillis(loginFailures, fromAddress);
    boolean close = loginFailures >= guard.limits().maxAuthFailures();
    executor.runAfter(
        delay,
        () -> {
          if (state == SessionState.LOGOUT) {
            return;
          }
          out.tagged(tag, response);
          if (close) {
            out.untagged("BYE Too many failed logins");
            logout();
          }
          out.flush();
        });
  }

  private void authenticatePlain(String tag, String base64) throws CommandFailed {
    if (base64.equals("*")) {
      throw CommandFailed.bad("AUTHENTICATE cancelled");
    }
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(base64.equals("=") ? "" : base64);
    } catch (IllegalArgumentException e) {
      throw CommandFailed.bad("Invalid base64 in AUTHENTICATE response");
    }
    String[] fields = new String(decoded, StandardCharsets.UTF_8).split("\0", -1);
    if (fields.length != 3) {
      throw CommandFailed.bad("AUTHENTICATE PLAIN needs authzid NUL authcid NUL password");
    }
    if (!fields[0].isEmpty() && !fields[0].equals(fields[1])) {
      throw CommandFailed.no("AUTHORIZATIONFAILED", "Acting as another user is not supported");
    }
    login(tag, fields[1], fields[2]);
  }

  private void finishAuthenticate(String line) {
    String tag = authTag;
    authTag = null;
    try {
      authenticatePlain(tag, line);
    } catch (CommandFailed e) {
      out.tagged(tag, e.getMessage());
    }
  }

  /** A backend call that returns nothing. */
  @FunctionalInterface
  interface Action {
    void run();
  }

  /** Runs a backend call that returns nothing; see {@link #call}. */
  void run(Action action) throws CommandFailed {
    call(
        () -> {
          action.run();
          return null;
        });
  }

  /**
   * Runs a blocking backend call on this worker (ADR 0039) and maps its failure: {@link
   * BackendException} to {@code NO [CODE]}, anything else to {@code NO [SERVERBUG]}. A call still
   * running after the backend timeout has this thread interrupted and fails {@code NO
   * [UNAVAILABLE]}, whatever the backend then throws or returns.
   */
  <T> T call(java.util.function.Supplier<T> work) throws CommandFailed {
    Alarm alarm = new Alarm(Thread.currentThread());
    java.util.concurrent.ScheduledFuture<?> timer =
        executor.schedule(alarm::ring, config.backendTimeout().toMillis());
    T result;
    try {
      result = work.get();
    } catch (BackendException be) {
      alarm.stop();
      if (alarm.rang) {
        throw timedOut();
      }
      throw CommandFailed.no(be.code().name(), be.getMessage());
    } catch (RuntimeException e) {
      alarm.stop();
      if (alarm.rang) {
        throw timedOut();
      }
      LOG.log(Level.WARNING, "backend failure", e);
      throw CommandFailed.no("SERVERBUG", "The mail store failed: " + e);
    } finally {
      alarm.stop();
      if (timer != null) {
        timer.cancel(false);
      }
    }
    if (alarm.rang) {
      throw timedOut();
    }
    return result;
  }

  private CommandFailed timedOut() {
    return CommandFailed.no(
        "UNAVAILABLE",
        "The mail store did not answer within "
            + config.backendTimeout().toSeconds()
            + " s; try again later");
  }

  /** Interrupts a worker whose backend call is late, unless the call has ended. */
  private static final class Alarm {
    private final Thread worker;
    private boolean stopped;
    volatile boolean rang;

    Alarm(Thread worker) {
      this.worker = worker;
    }

    synchronized void ring() {
      if (!stopped) {
        rang = true;
        worker.interrupt();
      }
    }

    /** Ends the call: no interrupt after this; one that came is cleared from the thread. */
    synchronized void stop() {
      if (!stopped) {
        stopped = true;
        if (rang) {
          Thread.interrupted();
        }
      }
    }
  }

  SelectedMailbox.Mode mode() {
    return new SelectedMailbox.Mode(condstore, qresync);
  }

  String delimiterString() {
    return "\""
        + (user.hierarchyDelimiter() == '"' || user.hierarchyDelimiter() == '\\' ? "\\" : "")
        + user.hierarchyDelimiter()
        + "\"";
  }

  void requireState(SessionState s) throws CommandFailed {
    if (state != s) {
      throw CommandFailed.bad(
          "Command not allowed in state "
              + state.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }
  }

  void requireAuthenticated() throws CommandFailed {
    if (state != SessionState.AUTHENTICATED && state != SessionState.SELECTED) {
      throw CommandFailed.bad("Log in first");
    }
  }

  void requireSelected() throws CommandFailed {
    if (state != SessionState.SELECTED) {
      throw CommandFailed.bad("No mailbox selected");
    }
  }

  void deselect() {
    live.clear();
    if (selected != null && selected.registration != null) {
      selected.registration.close();
    }
    selected = null;
    if (state == SessionState.SELECTED) {
      state = SessionState.AUTHENTICATED;
    }
  }

  private void logout() {
    state = SessionState.LOGOUT;
    out.flush();
    closeAction.run();
  }

  /** Releases backend resources; called once when the connection closes. */
  void closed() {
    executor.execute(
        () -> {
          state = SessionState.LOGOUT;
          deselect();
          if (user != null) {
            user.close();
            user = null;
          }
        });
  }
}
