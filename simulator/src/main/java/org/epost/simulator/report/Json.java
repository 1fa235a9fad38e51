package org.epost.simulator.report;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a small JSON document from maps, numbers, strings, booleans and nulls; a NaN or infinite
 * number is written as null. Every experiment's {@code summary.json} goes through it.
 */
public final class Json {

  private Json() {}

  /** The document for {@code object}, keys in the map's iteration order, ending in a newline. */
  public static String write(Map<String, ?> object) {
    StringBuilder out = new StringBuilder();
    writeObject(out, object, "");
    return out.append('\n').toString();
  }

  private static void writeObject(StringBuilder out, Map<String, ?> object, String indent) {
    if (object.isEmpty()) {
      out.append("{}");
      return;
    }
    String inner = indent + "  ";
    out.append("{\n");
    Iterator<? extends Map.Entry<String, ?>> it = object.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, ?> e = it.next();
      out.append(inner);
      writeString(out, e.getKey());
      out.append(": ");
      writeValue(out, e.getValue(), inner);
      out.append(it.hasNext() ? ",\n" : "\n");
    }
    out.append(indent).append('}');
  }

  @SuppressWarnings("unchecked")
  private static void writeValue(StringBuilder out, Object v, String indent) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof Map<?, ?> m) {
      writeObject(out, (Map<String, ?>) m, indent);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        out.append("null"); // JSON has no NaN; a missing figure reads as null
      } else if (d == Math.rint(d) && Math.abs(d) < 1e15) {
        out.append(String.format(Locale.ROOT, "%.1f", d));
      } else {
        out.append(Double.toString(d));
      }
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else {
      writeString(out, v.toString());
    }
  }

  private static void writeString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
