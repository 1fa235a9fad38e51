package org.epost.simulator.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A small storage run through the real Pastry and PAST code: churn, a correlated failure, byzantine
 * storers.
 */
class StorageExperimentTest {

  @Test
  void aSmallRingUnderChurnAndByzantineStorersLosesNothingAndReturnsNoWrongObject() {
    StorageConfig cfg =
        new StorageConfig(
            40,
            150,
            1000,
            5,
            Duration.ofMinutes(30),
            Duration.ofMinutes(30),
            0.5,
            Duration.ofHours(2),
            0.3,
            Duration.ofMinutes(60),
            0.2,
            3,
            2,
            5,
            Duration.ofMinutes(5),
            Duration.ofSeconds(10),
            Duration.ofMinutes(5),
            Duration.ofHours(8),
            2,
            Duration.ofMinutes(20));
    Map<String, Object> f = new StorageExperiment(cfg, line -> {}).run().fields();
    assertEquals(0, ((Number) f.get("objects_lost")).intValue(), f.toString());
    assertEquals(0L, ((Number) f.get("corruptions_returned")).longValue(), f.toString());
    assertEquals(0, ((Number) f.get("invalid_copies_on_honest_stores")).intValue(), f.toString());
    // Every corrupted copy that reached an honest node (counted outside PAST) was caught by PAST.
    assertEquals(
        ((Number) f.get("corruptions_served")).longValue(),
        ((Number) f.get("corruptions_detected")).longValue(),
        f.toString());
    assertTrue(((Number) f.get("lookups")).longValue() > 5000, f.toString());
    assertTrue(((Number) f.get("lookup_availability")).doubleValue() > 0.9, f.toString());
  }

  @Test
  void theCommandWritesSummaryAndCsv(@TempDir Path out) throws Exception {
    int code =
        new CommandLine(new StorageCommand())
            .execute(
                "--nodes",
                "20",
                "--objects",
                "40",
                "--object-size",
                "500",
                "--days",
                "0.02",
                "--session-mean",
                "20m",
                "--correlated-failure",
                "0.2@10m",
                "--byzantine",
                "0.1",
                "--seed",
                "5",
                "--out",
                out.toString());
    assertEquals(0, code);
    String summary = Files.readString(out.resolve("summary.json"));
    for (String key :
        new String[] {
          "objects_lost",
          "lookup_availability",
          "corruptions_served",
          "corruptions_detected",
          "repair_bytes_per_node_per_s",
          "ideal_repair_bytes_per_node_per_s",
          "storage_max_over_mean"
        }) {
      assertTrue(summary.contains("\"" + key + "\": "), key + " in " + summary);
    }
    assertTrue(Files.readString(out.resolve("hourly.csv")).startsWith("hour,live_nodes,"));
  }

  @Test
  void badArgumentsGetAClearError() {
    CommandLine cli = new CommandLine(new StorageCommand());
    java.io.StringWriter err = new java.io.StringWriter();
    cli.setErr(new java.io.PrintWriter(err));
    assertEquals(2, cli.execute("--correlated-failure", "lots"));
    assertTrue(err.toString().contains("FRACTION@TIME"), err.toString());
  }
}
