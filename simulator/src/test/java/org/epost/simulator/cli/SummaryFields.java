package org.epost.simulator.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test helper: reads the top-level scalar fields of summary.json (one per line, two-space indent).
 */
public final class SummaryFields {

  private SummaryFields() {}

  public static Map<String, String> read(Path json) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : Files.readAllLines(json)) {
      if (line.startsWith("  \"") && !line.startsWith("   ")) {
        int colon = line.indexOf("\": ");
        String value = line.substring(colon + 3);
        if (value.endsWith(",")) {
          value = value.substring(0, value.length() - 1);
        }
        fields.put(line.substring(3, colon), value);
      }
    }
    return fields;
  }
}
