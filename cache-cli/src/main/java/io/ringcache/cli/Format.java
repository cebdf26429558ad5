package io.ringcache.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** Text rendering for the CLI's tables and sizes. */
final class Format {

  private Format() {}

  /** Prints rows as columns: text left-aligned, numbers right-aligned. */
  static void table(List<String[]> rows, PrintWriter out) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int c = 0; c < columns; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        boolean number = row != rows.get(0) && !row[c].isEmpty() && Character.isDigit(row[c].charAt(0)) && c > 1;
        String cell = number ? " ".repeat(width[c] - row[c].length()) + row[c] : row[c] + " ".repeat(width[c] - row[c].length());
        line.append(c == 0 ? "" : "  ").append(cell);
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
