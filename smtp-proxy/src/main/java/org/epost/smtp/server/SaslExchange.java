package org.epost.smtp.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;
import org.epost.smtp.api.PasswordVerifier;

/**
 * The AUTH command's challenge/response exchanges for PLAIN (RFC 4616) and LOGIN
 * (draft-murchison-sasl-login). Passwords live in char arrays that are wiped after the check.
 *
 * <p>Not thread-safe; used by one session thread.
 */
final class SaslExchange {

  /** The session's line I/O during the exchange. */
  interface Conversation {
    void send(String line) throws IOException;

    /** The client's next line, or null if the connection ended. */
    String receive() throws IOException;
  }

  /** Throttling around the password check (see {@link AuthThrottle}). */
  interface Gate {
    /**
     * Called before {@code user}'s password is checked; may wait.
     *
     * @return null to go on with the check, or the reply that refuses the attempt unchecked
     */
    String before(String user) throws IOException;

    /** Called with the result of the check. */
    void after(String user, boolean ok);

    /** No throttling. */
    Gate NONE =
        new Gate() {
          @Override
          public String before(String user) {
            return null;
          }

          @Override
          public void after(String user, boolean ok) {}
        };
  }

  /** Outcome of one AUTH command. */
  record Result(Optional<String> user, String reply) {}

  private final PasswordVerifier verifier;
  private final Gate gate;

  SaslExchange(PasswordVerifier verifier, Gate gate) {
    this.verifier = verifier;
    this.gate = gate;
  }

  /** Runs AUTH with {@code argument} ("PLAIN [initial]" or "LOGIN [initial]"). */
  Result authenticate(String argument, Conversation conversation) throws IOException {
    String[] parts = argument.trim().split(" +");
    String mechanism = parts[0].toUpperCase(Locale.ROOT);
    Optional<String> initial = parts.length > 1 ? Optional.of(parts[1]) : Optional.empty();
    if (parts.length > 2) {
      return fail("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
    }
    switch (mechanism) {
      case "PLAIN":
        return plain(initial, conversation);
      case "LOGIN":
        return login(initial, conversation);
      default:
        return fail("504 5.5.4 Unrecognized authentication type, use PLAIN or LOGIN");
    }
  }

  private Result plain(Optional<String> initial, Conversation conversation) throws IOException {
    String response = initial.orElse(null);
    if (response == null) {
      conversation.send("334 ");
      response = conversation.receive();
    }
    if (response == null) {
      return fail(null);
    }
    if (response.equals("*")) {
      return fail("501 5.0.0 Authentication cancelled");
    }
    byte[] decoded = decode(response.equals("=") ? "" : response);
    if (decoded == null) {
      return fail("501 5.5.2 Cannot decode the response (not base64)");
    }
    int first = indexOf(decoded, 0);
    int second = first < 0 ? -1 : indexOf(decoded, first + 1);
    if (second < 0) {
      Arrays.fill(decoded, (byte) 0);
      return fail("501 5.5.2 PLAIN response must be authzid NUL authcid NUL password");
    }
    String authzid = new String(decoded, 0, first, StandardCharsets.UTF_8);
    String user = new String(decoded, first + 1, second - first - 1, StandardCharsets.UTF_8);
    char[] password = utf8Chars(decoded, second + 1, decoded.length - second - 1);
    Arrays.fill(decoded, (byte) 0);
    if (!authzid.isEmpty() && !authzid.equals(user)) {
      wipe(password);
      return fail("535 5.7.8 Authentication credentials invalid (authorization identity differs)");
    }
    return check(user, password);
  }

  private Result login(Optional<String> initial, Conversation conversation) throws IOException {
    String userLine = initial.orElse(null);
    if (userLine == null) {
      conversation.send("334 VXNlcm5hbWU6"); // "Username:"
      userLine = conversation.receive();
    }
    if (userLine == null) {
      return fail(null);
    }
    if (userLine.equals("*")) {
      return fail("501 5.0.0 Authentication cancelled");
    }
    byte[] userBytes = decode(userLine);
    if (userBytes == null) {
      return fail("501 5.5.2 Cannot decode the response (not base64)");
    }
    conversation.send("334 UGFzc3dvcmQ6"); // "Password:"
    String passwordLine = conversation.receive();
    if (passwordLine == null) {
      return fail(null);
    }
    if (passwordLine.equals("*")) {
      return fail("501 5.0.0 Authentication cancelled");
    }
    byte[] passwordBytes = decode(passwordLine);
    if (passwordBytes == null) {
      return fail("501 5.5.2 Cannot decode the response (not base64)");
    }
    char[] password = utf8Chars(passwordBytes, 0, passwordBytes.length);
    Arrays.fill(passwordBytes, (byte) 0);
    return check(new String(userBytes, StandardCharsets.UTF_8), password);
  }

  private Result check(String user, char[] password) throws IOException {
    try {
      String refusal = gate.before(user);
      if (refusal != null) {
        return fail(refusal);
      }
      boolean ok = password != null && !user.isEmpty() && verifier.verify(user, password);
      gate.after(user, ok);
      if (ok) {
        return new Result(Optional.of(user), "235 2.7.0 Authentication successful");
      }
      return fail("535 5.7.8 Authentication credentials invalid");
    } finally {
      wipe(password);
    }
  }

  private static Result fail(String reply) {
    return new Result(Optional.empty(), reply);
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static int indexOf(byte[] bytes, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        return i;
      }
    }
    return -1;
  }

  private static char[] utf8Chars(byte[] bytes, int offset, int length) {
    try {
      CharBuffer chars =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, offset, length));
      char[] result = new char[chars.remaining()];
      chars.get(result);
      Arrays.fill(chars.array(), '\0');
      return result;
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static void wipe(char[] password) {
    if (password != null) {
      Arrays.fill(password, '\0');
    }
  }
}
