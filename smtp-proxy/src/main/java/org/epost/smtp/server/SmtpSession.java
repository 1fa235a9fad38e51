package org.epost.smtp.server;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.epost.smtp.api.SmtpServerConfig;
import org.epost.smtp.api.SmtpServerConfig.Mode;
import org.epost.smtp.api.SubmissionException;

/**
 * One client connection: greeting, command loop, replies. Replies are buffered and flushed only
 * when no pipelined command is waiting (RFC 2920).
 *
 * <p>Threading: runs entirely on one session thread; backend calls are delegated to the backend
 * executor through {@link BackendCaller} and waited for.
 */
final class SmtpSession implements Runnable {
  private static final System.Logger LOG = System.getLogger(SmtpSession.class.getName());
  private static final Pattern HTTP_REQUEST =
      Pattern.compile(
          "^(GET|POST|HEAD|PUT|DELETE|OPTIONS|CONNECT|TRACE|PATCH) .*|.* HTTP/[0-9.]+$|^(Host|User-Agent): .*",
          Pattern.CASE_INSENSITIVE);
  private static final int MAX_AUTH_FAILURES = 3;

  private final ServerContext context;
  private final SmtpServerConfig config;
  private Socket socket;
  private final Socket rawSocket;
  // System.nanoTime() (made odd, so never 0) since when the session waits for a command line; 0
  // while it is doing anything else. Read by the acceptor to choose whom to close when full.
  private volatile long waitingSince;
  private volatile boolean evicted;
  private volatile boolean accepting; // a message is with the backend, its reply not yet sent
  private SmtpInput in;
  private OutputStream out;
  private final String clientIp;
  private final boolean loopbackClient;
  private String helo;
  private boolean extended;
  private boolean tlsActive;
  private Optional<String> user = Optional.empty();
  private MailTransaction transaction;
  private int commands;
  private int errors;
  private int authFailures;
  private boolean closing;

  SmtpSession(ServerContext context, Socket socket) throws IOException {
    this.context = context;
    this.config = context.config();
    this.socket = socket;
    this.rawSocket = socket;
    this.clientIp =
        ((InetSocketAddress) socket.getRemoteSocketAddress()).getAddress().getHostAddress();
    this.loopbackClient = socket.getInetAddress().isLoopbackAddress();
    attachStreams();
  }

  private void attachStreams() throws IOException {
    in = new SmtpInput(socket, (int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()));
    out = new BufferedOutputStream(socket.getOutputStream(), 8192);
  }

  @Override
  public void run() {
    try {
      reply("220 " + config.hostName() + " ESMTP ePOST ready");
      while (!closing) {
        if (!in.hasBufferedInput()) {
          out.flush();
        }
        in.startLine(config.commandTimeout());
        waitingSince = System.nanoTime() | 1;
        int first = in.peek();
        if (!tlsActive && looksLikeTls(first)) {
          // A TLS ClientHello on the plain port: the client will never send a line; close now
          // instead of holding the slot until a timeout.
          LOG.log(Level.DEBUG, "TLS handshake from " + clientIp + " on a plain SMTP port; closed");
          break;
        }
        String line;
        try {
          line = in.readLine(config.maxLineBytes());
        } catch (SmtpInput.LineTooLongException e) {
          error("500 5.5.2 Line too long (limit " + config.maxLineBytes() + " bytes)");
          continue;
        }
        waitingSince = 0;
        if (line == null) {
          if (evicted) {
            tryReply(
                "421 4.3.2 " + config.hostName() + " Too busy; closing the longest idle session");
          }
          break;
        }
        if (++commands > config.maxCommandsPerMessage()) {
          reply("421 4.7.0 Too many commands without a message, closing");
          break;
        }
        if (HTTP_REQUEST.matcher(line).matches()) {
          reply("554 5.7.0 This is an SMTP server, not HTTP; closing");
          break;
        }
        dispatch(line);
      }
      out.flush();
    } catch (SmtpInput.DeadlineException e) {
      tryReply("421 4.4.2 " + config.hostName() + " Too slow: " + e.getMessage() + ", closing");
    } catch (SocketTimeoutException e) {
      tryReply("421 4.4.2 " + config.hostName() + " Timeout waiting for input, closing");
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "connection from " + clientIp + " ended", e);
    } finally {
      if (transaction != null) {
        transaction.discardChunks();
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  /**
   * Since when (System.nanoTime, never 0) this session has waited for a command line, or 0 if it is
   * busy with anything else (a transfer, a backend call, AUTH).
   */
  long waitingForCommandSince() {
    return waitingSince;
  }

  /**
   * Called by the acceptor when the table is full: ends the session's wait for input, so that it
   * answers 421 and closes from its own thread.
   */
  void evict() {
    evicted = true;
    try {
      rawSocket.shutdownInput();
    } catch (IOException e) {
      try {
        rawSocket.close();
      } catch (IOException ignored) {
        // gone already
      }
    }
  }

  /** First byte of a TLS handshake record (0x16) or of an SSLv2-style ClientHello (0x80). */
  private static boolean looksLikeTls(int firstByte) {
    return firstByte == 0x16 || firstByte == 0x80;
  }

  private void dispatch(String line) throws IOException {
    int space = line.indexOf(' ');
    String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String argument = space < 0 ? "" : line.substring(space + 1);
    switch (verb) {
      case "EHLO" -> hello(argument, true);
      case "HELO" -> hello(argument, false);
      case "AUTH" -> auth(argument);
      case "MAIL" -> mail(argument);
      case "RCPT" -> rcpt(argument);
      case "DATA" -> data(argument);
      case "BDAT" -> bdat(argument);
      case "RSET" -> {
        resetTransaction();
        reply("250 2.0.0 Ok");
      }
      case "NOOP" -> reply("250 2.0.0 Ok");
      case "QUIT" -> {
        reply("221 2.0.0 " + config.hostName() + " closing connection");
        closing = true;
      }
      case "VRFY" ->
          reply("252 2.5.0 Cannot VRFY user, but will accept the message and attempt delivery");
      case "HELP" ->
          reply(
              "214 2.0.0 Commands: EHLO HELO AUTH MAIL RCPT DATA BDAT RSET NOOP QUIT STARTTLS; see RFC 5321");
      case "STARTTLS" -> startTls(argument);
      default -> error("500 5.5.2 Command not recognized: " + printable(verb));
    }
  }

  private void hello(String argument, boolean ehlo) throws IOException {
    String name = argument.trim();
    if (name.isEmpty() || name.contains(" ")) {
      error("501 5.5.4 Syntax: " + (ehlo ? "EHLO" : "HELO") + " hostname");
      return;
    }
    resetTransaction();
    helo = printable(name);
    extended = ehlo;
    if (!ehlo) {
      reply("250 " + config.hostName());
      return;
    }
    StringBuilder b = new StringBuilder();
    b.append("250-").append(config.hostName()).append(" greets ").append(helo).append("\r\n");
    b.append("250-PIPELINING\r\n");
    b.append("250-SIZE ").append(config.maxMessageBytes()).append("\r\n");
    b.append("250-8BITMIME\r\n");
    b.append("250-ENHANCEDSTATUSCODES\r\n");
    b.append("250-SMTPUTF8\r\n");
    if (config.tls().isPresent() && !tlsActive) {
      b.append("250-STARTTLS\r\n");
    }
    if (config.mode() == Mode.SUBMISSION) {
      b.append("250-AUTH PLAIN LOGIN\r\n");
    }
    b.append("250 CHUNKING");
    reply(b.toString());
  }

  private void auth(String argument) throws IOException {
    if (config.mode() != Mode.SUBMISSION) {
      error("502 5.5.1 AUTH not available on this port");
      return;
    }
    if (!extended) {
      error("503 5.5.1 Send EHLO first");
      return;
    }
    if (user.isPresent()) {
      error("503 5.5.1 Already authenticated");
      return;
    }
    if (transaction != null) {
      error("503 5.5.1 AUTH not allowed during a mail transaction");
      return;
    }
    SaslExchange.Result result =
        new SaslExchange(config.passwords().orElseThrow(), authGate())
            .authenticate(
                argument,
                new SaslExchange.Conversation() {
                  @Override
                  public void send(String line) throws IOException {
                    reply(line);
                    out.flush();
                  }

                  @Override
                  public String receive() throws IOException {
                    in.startLine(config.commandTimeout());
                    return in.readLine(config.maxLineBytes());
                  }
                });
    if (result.reply() == null) {
      closing = true;
      return;
    }
    user = result.user();
    if (user.isEmpty()) {
      if (++authFailures >= MAX_AUTH_FAILURES) {
        reply(result.reply());
        reply("421 4.7.0 Too many failed authentications, closing");
        closing = true;
        return;
      }
      error(result.reply());
      return;
    }
    reply(result.reply());
  }

  /** Delays and lock-out of AUTH attempts (docs/adr/0047). */
  private SaslExchange.Gate authGate() {
    AuthThrottle throttle = context.authThrottle();
    return new SaslExchange.Gate() {
      @Override
      public String before(String account) throws IOException {
        if (throttle.refused(account, loopbackClient)) {
          return "454 4.7.0 Too many failed authentications for this account, try again later";
        }
        java.time.Duration delay = throttle.delay(clientIp, account);
        if (!delay.isZero()) {
          out.flush();
          try {
            Thread.sleep(delay.toMillis());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("closing");
          }
        }
        return null;
      }

      @Override
      public void after(String account, boolean ok) {
        if (ok) {
          throttle.succeeded(clientIp);
        } else {
          throttle.failed(clientIp, account);
        }
      }
    };
  }

  private void mail(String argument) throws IOException {
    if (helo == null) {
      error("503 5.5.1 Send EHLO or HELO first");
      return;
    }
    if (config.mode() == Mode.SUBMISSION && user.isEmpty()) {
      error("530 5.7.0 Authentication required");
      return;
    }
    if (transaction != null) {
      error("503 5.5.1 Sender already given (use RSET to start over)");
      return;
    }
    MailPath path;
    try {
      path = MailPath.parse(argument, "FROM:");
    } catch (MailPath.SyntaxException e) {
      error(e.getMessage());
      return;
    }
    boolean utf8 = false;
    for (String parameter : path.parameters()) {
      String upper = parameter.toUpperCase(Locale.ROOT);
      if (upper.startsWith("SIZE=")) {
        String digits = upper.substring(5);
        if (!digits.matches("[0-9]{1,20}")) {
          // RFC 1870: size-value ::= 1*20DIGIT; no sign, no blanks
          error("501 5.5.4 SIZE needs a number of 1 to 20 digits");
          return;
        }
        long declared;
        try {
          declared = Long.parseLong(digits);
        } catch (NumberFormatException e) {
          declared = Long.MAX_VALUE; // 20 digits beyond a long: larger than any limit
        }
        if (declared > config.maxMessageBytes()) {
          reply(
              "552 5.3.4 Message size exceeds fixed limit of "
                  + config.maxMessageBytes()
                  + " bytes");
          return;
        }
      } else if (upper.equals("BODY=8BITMIME") || upper.equals("BODY=7BIT")) {
        continue;
      } else if (upper.equals("SMTPUTF8")) {
        utf8 = true;
      } else if (upper.startsWith("AUTH=")) {
        continue;
      } else {
        error("555 5.5.4 Unsupported MAIL parameter: " + printable(parameter));
        return;
      }
    }
    if (!path.address().isEmpty()) {
      String problem = path.validate();
      if (problem != null) {
        error(problem);
        return;
      }
      if (path.needsUtf8() && !utf8) {
        error("553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter");
        return;
      }
    }
    if (config.mode() == Mode.SUBMISSION) {
      String sender = path.address();
      String account = user.orElseThrow();
      try {
        // A local, in-memory decision (see the SPI): on the session thread, no backend slot.
        context.backend().checkSender(sender, account);
      } catch (SubmissionException e) {
        reply(format(e));
        return;
      }
    }
    if (config.mode() == Mode.GATEWAY && !context.rateLimiter().tryAcquire(clientIp)) {
      reply("450 4.7.1 Too many messages from " + clientIp + ", try again later");
      return;
    }
    transaction = new MailTransaction(path.address(), utf8);
    reply("250 2.1.0 Sender ok");
  }

  private void rcpt(String argument) throws IOException {
    if (transaction == null) {
      error("503 5.5.1 Need MAIL command first");
      return;
    }
    if (transaction.recipients.size() >= config.maxRecipients()) {
      reply("452 4.5.3 Too many recipients (limit " + config.maxRecipients() + ")");
      return;
    }
    MailPath path;
    try {
      path = MailPath.parse(argument, "TO:");
    } catch (MailPath.SyntaxException e) {
      error(e.getMessage());
      return;
    }
    if (!path.parameters().isEmpty()) {
      error("555 5.5.4 Unsupported RCPT parameter: " + printable(path.parameters().get(0)));
      return;
    }
    String problem = path.address().isEmpty() ? "501 5.1.3 Empty recipient" : path.validate();
    if (problem != null) {
      error(problem);
      return;
    }
    if (path.needsUtf8() && !transaction.smtpUtf8) {
      error("553 5.6.7 Non-ASCII address needs the SMTPUTF8 parameter on MAIL");
      return;
    }
    if (config.isLocalDomain(path.domain())) {
      try {
        context
            .backendCaller()
            .call("checkRecipient", () -> context.backend().checkRecipient(path.address()));
      } catch (SubmissionException e) {
        reply(format(e));
        return;
      }
      transaction.addRecipient(path.address(), true);
      reply("250 2.1.5 Recipient ok");
    } else if (config.mode() == Mode.GATEWAY) {
      reply("550 5.7.1 <" + printable(path.address()) + ">: Relay access denied");
    } else if (context.relay().isEmpty()) {
      reply(
          "550 5.7.1 <"
              + printable(path.address())
              + ">: Relaying to other domains is not configured");
    } else {
      transaction.addRecipient(path.address(), false);
      reply("250 2.1.5 Recipient ok, will relay");
    }
  }

  private void data(String argument) throws IOException {
    if (!checkBodyCommand("DATA")) {
      return;
    }
    if (!argument.isBlank()) {
      error("501 5.5.4 DATA takes no argument");
      return;
    }
    reply("354 End data with <CR><LF>.<CR><LF>");
    out.flush();
    MessageSpool spool = new MessageSpool(context.spoolDirectory());
    try {
      ContentCheck check = new ContentCheck(spool);
      in.startTransfer(
          config.dataTimeout(), config.dataRateGrace(), config.minDataBytesPerSecond());
      long seen = in.readData(check, config.maxMessageBytes());
      if (seen < 0) {
        closing = true;
        return;
      }
      if (seen > config.maxMessageBytes()) {
        reply(
            "552 5.3.4 Message size exceeds fixed limit of " + config.maxMessageBytes() + " bytes");
        return;
      }
      ContentCheck.Problem problem = check.finish();
      if (problem != ContentCheck.Problem.NONE) {
        reply(problem.reply());
        return;
      }
      accept(spool);
    } finally {
      spool.close();
      resetTransaction();
    }
  }

  private void bdat(String argument) throws IOException {
    String[] parts = argument.trim().split(" +");
    long size;
    try {
      size = Long.parseLong(parts[0]);
    } catch (NumberFormatException e) {
      // Without a valid size the chunk's end cannot be found: the stream is lost.
      reply("501 5.5.4 Syntax: BDAT size [LAST]; closing");
      closing = true;
      return;
    }
    boolean last = parts.length == 2 && parts[1].equalsIgnoreCase("LAST");
    if (size < 0 || parts.length > 2 || (parts.length == 2 && !last)) {
      reply("501 5.5.4 Syntax: BDAT size [LAST]; closing");
      closing = true;
      return;
    }
    boolean ready = checkBodyCommand("BDAT");
    MailTransaction t = transaction;
    if (ready && t.chunks == null) {
      t.chunks = new MessageSpool(context.spoolDirectory());
      t.chunkCheck = new ContentCheck(t.chunks);
    }
    OutputStream sink = ready ? t.chunkCheck : OutputStream.nullOutputStream();
    long already = ready ? t.chunkBytes : 0;
    in.startTransfer(config.dataTimeout(), config.dataRateGrace(), config.minDataBytesPerSecond());
    if (!in.readChunk(sink, size, already, config.maxMessageBytes())) {
      closing = true;
      return;
    }
    if (!ready) {
      return; // checkBodyCommand replied already
    }
    t.chunkBytes += size;
    if (!last) {
      reply("250 2.0.0 " + size + " bytes received");
      return;
    }
    try {
      ContentCheck.Problem problem = t.chunkCheck.finish();
      if (t.chunkBytes > config.maxMessageBytes()) {
        reply(
            "552 5.3.4 Message size exceeds fixed limit of " + config.maxMessageBytes() + " bytes");
      } else if (problem != ContentCheck.Problem.NONE) {
        reply(problem.reply());
      } else {
        accept(t.chunks);
      }
    } finally {
      resetTransaction();
    }
  }

  private boolean checkBodyCommand(String verb) throws IOException {
    if (transaction == null) {
      error("503 5.5.1 Need MAIL command first");
      return false;
    }
    if (transaction.recipients.isEmpty()) {
      error("554 5.5.1 No valid recipients");
      return false;
    }
    if (verb.equals("DATA") && transaction.chunks != null) {
      error("503 5.5.1 DATA after BDAT is not allowed");
      return false;
    }
    return true;
  }

  /** Stores the received message (see {@link MessageAcceptance}) and answers. */
  private void accept(MessageSpool spool) throws IOException {
    accepting = true;
    try {
      String result =
          new MessageAcceptance(context)
              .accept(transaction, spool, helo, clientIp, user, tlsActive);
      reply(result);
      out.flush(); // the reply is on its way before a closing listener may cut the connection
      if (result.startsWith("250")) {
        commands = 0;
      }
    } finally {
      accepting = false;
    }
  }

  /** Whether a message of this session is with the backend and its reply not yet sent. */
  boolean accepting() {
    return accepting;
  }

  private void startTls(String argument) throws IOException {
    if (config.tls().isEmpty() || tlsActive) {
      error("502 5.5.1 STARTTLS not available");
      return;
    }
    if (!argument.isBlank()) {
      error("501 5.5.4 STARTTLS takes no argument");
      return;
    }
    if (in.hasBufferedInput()) {
      // Plain-text commands sent after STARTTLS would be taken as if they came over TLS.
      reply("554 5.5.1 Commands pipelined after STARTTLS are refused; closing");
      closing = true;
      return;
    }
    reply("220 2.0.0 Ready to start TLS");
    out.flush();
    SSLSocket tls =
        (SSLSocket)
            config
                .tls()
                .get()
                .getSocketFactory()
                .createSocket(
                    socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
    tls.setUseClientMode(false);
    tls.startHandshake();
    socket = tls;
    attachStreams();
    tlsActive = true;
    helo = null;
    extended = false;
    user = Optional.empty();
    resetTransaction();
  }

  private void resetTransaction() {
    if (transaction != null) {
      transaction.discardChunks();
    }
    transaction = null;
  }

  private void error(String line) throws IOException {
    reply(line);
    if (++errors >= config.maxErrorsPerConnection()) {
      reply("421 4.7.0 Too many errors, closing");
      closing = true;
    }
  }

  private static String format(SubmissionException e) {
    return e.status().code() + " " + e.status().enhancedCode() + " " + e.getMessage();
  }

  private void reply(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.UTF_8));
    out.write('\r');
    out.write('\n');
  }

  private void tryReply(String text) {
    try {
      reply(text);
      out.flush();
    } catch (IOException ignored) {
      // the client is gone
    }
  }

  /** Client text echoed in replies: printable ASCII only, at most 64 characters. */
  private static String printable(String text) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < text.length() && b.length() < 64; i++) {
      char c = text.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
