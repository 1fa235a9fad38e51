package org.epost.imap.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModifiedUtf7Test {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "~peter/mail/&U,BTFw-/&ZeVnLIqe-|~peter/mail/台北/日本語", // RFC 3501 5.1.3
        "a&-b|a&b",
        "Caf&AOk-|Café",
        "&2D3eAA-|\uD83D\uDE00", // a character outside the BMP (surrogate pair)
        "plain|plain"
      })
  void decodesAndEncodesBothWays(String wire, String unicode) {
    assertEquals(unicode, ModifiedUtf7.decode(wire));
    assertEquals(wire, ModifiedUtf7.encode(unicode));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "&Jjo", // unterminated
        "&AGE-", // 'a' must not be encoded
        "&AOk-&AOk-", // two runs in a row
        "&AO-", // odd byte count
        "&2D0-", // lone surrogate
        "&AOl-", // padding bits set
        "&A/k-", // '/' instead of ','
        "caf\u00e9" // raw 8-bit
      })
  void refusesWhatIsNotTheOneCorrectEncoding(String wire) {
    assertThrows(IllegalArgumentException.class, () -> ModifiedUtf7.decode(wire));
  }
}
