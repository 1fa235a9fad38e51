package org.epost.smtp.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Checks AUTH PLAIN and AUTH LOGIN credentials on the submission port.
 *
 * <p>Threading: called concurrently from session threads; must be thread-safe.
 */
@FunctionalInterface
public interface PasswordVerifier {

  /**
   * @return true if {@code password} is the password of {@code user}; the caller wipes the array
   */
  boolean verify(String user, char[] password);

  /**
   * A verifier over a fixed table of generated passwords (the ePOST daemon generates one per local
   * account). The comparison takes the same time whatever the position of the first differing
   * character.
   */
  static PasswordVerifier ofTable(Map<String, String> passwordsByUser) {
    Map<String, String> table = Map.copyOf(passwordsByUser);
    return (user, password) -> {
      String expected = table.get(user);
      byte[] given = new String(password).getBytes(StandardCharsets.UTF_8);
      byte[] wanted =
          (expected == null ? "\u0000unknown-user" : expected).getBytes(StandardCharsets.UTF_8);
      boolean same = MessageDigest.isEqual(given, wanted);
      return expected != null && same;
    };
  }
}
