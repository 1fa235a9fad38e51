package org.epost.simulator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DurationConverterTest {

  @Test
  void readsEveryUnit() {
    assertEquals(Duration.ofMillis(250), DurationConverter.parse("250ms"));
    assertEquals(Duration.ofSeconds(90), DurationConverter.parse("90s"));
    assertEquals(Duration.ofMinutes(15), DurationConverter.parse("15m"));
    assertEquals(Duration.ofHours(2), DurationConverter.parse("2h"));
    assertEquals(Duration.ofDays(1), DurationConverter.parse("1d"));
    assertEquals(Duration.ofMinutes(90), DurationConverter.parse("1.5h"));
    assertEquals(Duration.ofSeconds(42), DurationConverter.parse("42"));
    assertEquals(Duration.ofMinutes(15), DurationConverter.parse(" 15M "));
  }

  @Test
  void rejectsWhatIsNotADurationWithTheSyntaxInTheMessage() {
    for (String bad :
        new String[] {"", "m", "15 minutes", "-5s", "1e3s", "15x", "1.2.3s", "0x10s"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse(bad));
      assertTrue(e.getMessage().contains("90s"), e.getMessage());
    }
  }

  @Test
  void rejectsHugeInputWithoutEchoingAllOfIt() {
    String huge = "9".repeat(1_000_000) + "s";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse(huge));
    assertTrue(e.getMessage().length() < 200, "message stays short");
    assertThrows(IllegalArgumentException.class, () -> DurationConverter.parse("367d"));
  }

  @Test
  void formatReadsBack() {
    for (String s : new String[] {"90s", "15m", "2h", "250ms"}) {
      assertEquals(s, DurationConverter.format(DurationConverter.parse(s)));
    }
  }

  @Test
  void sessionMeanAcceptsNone() {
    assertEquals(Optional.empty(), SessionMeanConverter.parse("none"));
    assertEquals(Optional.of(Duration.ofMinutes(10)), SessionMeanConverter.parse("10m"));
    assertThrows(IllegalArgumentException.class, () -> SessionMeanConverter.parse("0s"));
  }
}
