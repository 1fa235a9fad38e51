package org.epost.imap.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.epost.imap.api.ConnectionLimits;

/**
 * Frames the client byte stream into {@link CommandFrame}s: lines ending in CRLF (or LF), with
 * synchronizing ({@code {n}}) and non-synchronizing ({@code {n+}}, LITERAL+) literals. Sends the
 * {@code +} continuation for synchronizing literals itself.
 *
 * <p>Bounds: a line longer than {@code maxLineLength} is discarded up to its end and becomes an
 * error frame (answered BAD; the connection stays usable); a literal larger than {@code
 * maxLiteralSize} is refused (synchronizing) or closes the connection (non-synchronizing, because
 * its bytes are already on the way); at most {@code maxLiterals} literals per command. Literals up
 * to {@code memoryThreshold} bytes are held in memory, larger ones are written to a temporary file
 * as they arrive, so a connection never buffers more than about {@code maxLineLength +
 * memoryThreshold} bytes. A first line that looks like HTTP closes the connection. Runs on the
 * channel's event loop only.
 *
 * <p>With {@link ConnectionLimits} (ADR 0037): before login a command may hold at most {@code
 * preLoginCommandBytes} (lines and literals together; a longer line is discarded, a literal that
 * would pass it is refused like an oversized one), and the bytes an unauthenticated connection
 * holds beyond {@link #FREE_PRE_LOGIN_BYTES} are charged to a budget shared by all connections; a
 * connection that cannot be charged is closed with {@code * BYE}. Once the first byte of a command
 * is in, the whole command must arrive within {@code commandTimeout} (plus time for its literals at
 * {@code literalBytesPerSecond}), however slowly the bytes trickle.
 */
public final class CommandFrameDecoder extends ByteToMessageDecoder {
  /** {n}, {n+} and RFC 3516 literal8 ~{n} (the ~ is dropped; the bytes are kept as they are). */
  private static final Pattern LITERAL = Pattern.compile("~?\\{(\\d{1,19})(\\+?)\\}$");

  private static final Pattern HTTP = Pattern.compile("^[A-Z]{3,7} \\S+ HTTP/\\d.*");
  private static final byte[] CONTINUATION =
      "+ Ready for literal data\r\n".getBytes(StandardCharsets.US_ASCII);

  private enum State {
    LINE,
    DISCARD_LINE,
    LITERAL,
    CLOSED
  }

  private final int maxLineLength;
  private final long maxLiteralSize;
  private final int memoryThreshold;
  private final int maxLiterals;
  private final Path spoolDirectory;

  /** Literal limit before login: enough for credentials, too little to fill a disk anonymously. */
  public static final int UNAUTHENTICATED_LITERAL_LIMIT = 8 * 1024;

  /** Bytes an unauthenticated connection may hold without charging the shared budget. */
  public static final int FREE_PRE_LOGIN_BYTES = 1024;

  private final ConnectionLimits limits;
  private final LongPredicate preLoginCharge;
  private volatile boolean authenticated;
  private boolean budgetReleased;
  private long charged;
  private long commandBytes;
  private long commandLiteralBytes;
  private long commandStartNanos;
  private boolean deadlineTimer;
  private ChannelHandlerContext context;
  private State state = State.LINE;
  private boolean firstLine = true;
  private List<Object> parts = new ArrayList<>();
  private String discardTag;
  private long literalRemaining;
  private long literalSize;
  private byte[] literalBytes;
  private int literalFill;
  private Path literalFile;
  private OutputStream literalOut;

  public CommandFrameDecoder(
      int maxLineLength,
      long maxLiteralSize,
      int memoryThreshold,
      int maxLiterals,
      Path spoolDirectory) {
    this(
        maxLineLength,
        maxLiteralSize,
        memoryThreshold,
        maxLiterals,
        spoolDirectory,
        null,
        d -> true);
  }

  /**
   * A decoder that also enforces the pre-login and command-time limits.
   *
   * @param limits the limits, or {@code null} for none beyond the per-literal pre-login cap
   * @param preLoginCharge takes a change (positive or negative) of the bytes this connection holds
   *     before login and answers whether the shared budget allows it
   */
  public CommandFrameDecoder(
      int maxLineLength,
      long maxLiteralSize,
      int memoryThreshold,
      int maxLiterals,
      Path spoolDirectory,
      ConnectionLimits limits,
      LongPredicate preLoginCharge) {
    this.limits = limits;
    this.preLoginCharge = preLoginCharge;
    this.maxLineLength = maxLineLength;
    this.maxLiteralSize = maxLiteralSize;
    this.memoryThreshold = memoryThreshold;
    this.maxLiterals = maxLiterals;
    this.spoolDirectory = spoolDirectory;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws IOException {
    int before = out.size();
    decodeFrames(ctx, in, out);
    if (out.size() > before) {
      commandStartNanos = 0;
    }
    if (state == State.CLOSED || limits == null) {
      return;
    }
    boolean partial = state != State.LINE || !parts.isEmpty() || in.isReadable();
    if (partial && commandStartNanos == 0) {
      commandStartNanos = System.nanoTime();
      if (!deadlineTimer) {
        deadlineTimer = true;
        ctx.executor()
            .schedule(
                () -> checkDeadline(ctx), limits.commandTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    if (!authenticated) {
      long held = in.readableBytes() + commandBytes;
      long wanted = Math.max(0, held - FREE_PRE_LOGIN_BYTES);
      long delta = wanted - charged;
      if (delta != 0 && !preLoginCharge.test(delta)) {
        close(ctx, "Server busy: too much unauthenticated data; try again later");
        in.skipBytes(in.readableBytes());
        return;
      }
      charged = wanted;
    } else if (!budgetReleased) {
      releaseBudget();
    }
  }

  private void releaseBudget() {
    budgetReleased = true;
    if (charged != 0) {
      preLoginCharge.test(-charged);
      charged = 0;
    }
  }

  /** On the event loop: closes the connection if the command in progress is overdue. */
  private void checkDeadline(ChannelHandlerContext ctx) {
    deadlineTimer = false;
    if (state == State.CLOSED || commandStartNanos == 0 || !ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    if (!ctx.channel().config().isAutoRead()) {
      // the server, not the client, holds the rest back (backpressure): restart the clock
      commandStartNanos = now;
    }
    long allowed =
        limits.commandTimeout().toNanos()
            + commandLiteralBytes * 1_000_000_000L / limits.literalBytesPerSecond();
    long left = commandStartNanos + allowed - now;
    if (left <= 0) {
      close(
          ctx,
          "Command took too long to arrive (limit " + limits.commandTimeout().toSeconds() + " s)");
      return;
    }
    deadlineTimer = true;
    ctx.executor().schedule(() -> checkDeadline(ctx), left, TimeUnit.NANOSECONDS);
  }

  private void close(ChannelHandlerContext ctx, String why) {
    state = State.CLOSED;
    abandonCommand();
    ctx.writeAndFlush(
            Unpooled.wrappedBuffer(("* BYE " + why + "\r\n").getBytes(StandardCharsets.US_ASCII)))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private int lineLimit() {
    return authenticated || limits == null
        ? maxLineLength
        : Math.min(maxLineLength, limits.preLoginCommandBytes());
  }

  private void decodeFrames(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws IOException {
    while (in.isReadable()) {
      switch (state) {
        case LINE -> {
          if (!readLine(ctx, in, out)) {
            return;
          }
        }
        case DISCARD_LINE -> {
          int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
          if (lf < 0) {
            in.skipBytes(in.readableBytes());
            return;
          }
          in.readerIndex(lf + 1);
          state = State.LINE;
          out.add(
              CommandFrame.error(
                  "Command line too long (limit " + lineLimit() + " bytes)", discardTag));
          discardTag = null;
        }
        case LITERAL -> readLiteral(in, out);
        case CLOSED -> {
          in.skipBytes(in.readableBytes());
          return;
        }
      }
    }
  }

  private boolean readLine(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws IOException {
    int lineLimit = lineLimit();
    int searchEnd = Math.min(in.writerIndex(), in.readerIndex() + lineLimit + 2);
    int lf = in.indexOf(in.readerIndex(), searchEnd, (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() > lineLimit + 1) {
        discardTag =
            parts.isEmpty()
                ? tagOf(in.toString(in.readerIndex(), 64, StandardCharsets.UTF_8))
                : tagOfParts();
        abandonCommand();
        // only the over-long part: commands pipelined after its end must still be read
        in.skipBytes(lineLimit + 1);
        state = State.DISCARD_LINE;
      }
      return false;
    }
    int end = lf;
    if (end > in.readerIndex() && in.getByte(end - 1) == '\r') {
      end--;
    }
    String line = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.UTF_8);
    in.readerIndex(lf + 1);
    if (firstLine) {
      firstLine = false;
      if (HTTP.matcher(line).matches()) {
        state = State.CLOSED;
        ctx.writeAndFlush(
                Unpooled.wrappedBuffer(
                    "* BYE This is an IMAP server, not HTTP\r\n"
                        .getBytes(StandardCharsets.US_ASCII)))
            .addListener(ChannelFutureListener.CLOSE);
        return false;
      }
    }
    Matcher m = LITERAL.matcher(line);
    commandBytes += line.length();
    if (!m.find()) {
      parts.add(line);
      commandBytes = 0;
      commandLiteralBytes = 0;
      out.add(new CommandFrame(List.copyOf(parts), null, null));
      parts = new ArrayList<>();
      return true;
    }
    boolean nonSync = !m.group(2).isEmpty();
    long size;
    try {
      size = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      size = Long.MAX_VALUE;
    }
    parts.add(line.substring(0, m.start()));
    int literals = (parts.size() + 1) / 2;
    long limit =
        authenticated ? maxLiteralSize : Math.min(maxLiteralSize, UNAUTHENTICATED_LITERAL_LIMIT);
    if (!authenticated && limits != null) {
      limit = Math.min(limit, Math.max(0, limits.preLoginCommandBytes() - commandBytes));
    }
    if (size > limit || literals > maxLiterals) {
      String tag = tagOfParts();
      abandonCommand();
      String why =
          size > limit
              ? "Literal of "
                  + size
                  + " bytes exceeds the limit of "
                  + limit
                  + " bytes"
                  + (authenticated ? "" : " before login")
              : "Too many literals in one command (limit " + maxLiterals + ")";
      if (nonSync) {
        close(ctx, why);
        return false;
      }
      out.add(CommandFrame.error(why, tag));
      return true;
    }
    if (!nonSync) {
      ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUATION));
    }
    commandBytes += size;
    commandLiteralBytes += size;
    startLiteral(size);
    return true;
  }

  /**
   * Lifts the pre-login literal limit; called by the session after a successful login (any thread).
   */
  public void authenticated() {
    authenticated = true;
    ChannelHandlerContext ctx = context;
    if (ctx != null) {
      ctx.executor().execute(this::releaseBudget);
    }
  }

  private void startLiteral(long size) throws IOException {
    state = State.LITERAL;
    literalRemaining = size;
    literalSize = size;
    literalFill = 0;
    if (size <= memoryThreshold) {
      literalBytes = new byte[(int) size];
    } else {
      literalFile = Files.createTempFile(spoolDirectory, "imap-literal", ".tmp");
      literalOut = Files.newOutputStream(literalFile);
    }
  }

  private void readLiteral(ByteBuf in, List<Object> out) throws IOException {
    int n = (int) Math.min(in.readableBytes(), literalRemaining);
    if (literalBytes != null) {
      in.readBytes(literalBytes, literalFill, n);
      literalFill += n;
    } else {
      in.readBytes(literalOut, n);
    }
    literalRemaining -= n;
    if (literalRemaining > 0) {
      return;
    }
    if (literalBytes != null) {
      parts.add(Literal.inMemory(literalBytes));
      literalBytes = null;
    } else {
      literalOut.close();
      literalOut = null;
      parts.add(Literal.spooled(literalFile, literalSize));
      literalFile = null;
    }
    state = State.LINE;
  }

  private String tagOfParts() {
    return parts.isEmpty() ? null : tagOf((String) parts.get(0));
  }

  private static String tagOf(String line) {
    int sp = line.indexOf(' ');
    String tag = sp > 0 ? line.substring(0, sp) : null;
    return tag != null
            && tag.chars()
                .allMatch(
                    c ->
                        c > 0x20 && c < 0x7f && c != '+' && c != '(' && c != ')' && c != '{'
                            && c != '%' && c != '*' && c != '"' && c != '\\')
        ? tag
        : null;
  }

  private void abandonCommand() {
    new CommandFrame(parts, null, null).release();
    parts = new ArrayList<>();
    commandBytes = 0;
    commandLiteralBytes = 0;
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws IOException {
    abandonCommand();
    releaseBudget();
    if (literalOut != null) {
      literalOut.close();
      Files.deleteIfExists(literalFile);
    }
  }
}
