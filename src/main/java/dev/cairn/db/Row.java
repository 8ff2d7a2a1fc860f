package dev.cairn.db;

import java.util.Arrays;
import java.util.Locale;

/**
 * One result row, normalised across dialects: integers are {@link Long}, byte columns are
 * {@code byte[]}, text is {@link String}. Column lookup is by lower-case name.
 */
public final class Row {
  private final String[] names;
  private final Object[] values;

  Row(String[] names, Object[] values) {
    this.names = names;
    this.values = values;
  }

  private int index(String column) {
    String key = column.toLowerCase(Locale.ROOT);
    for (int i = 0; i < names.length; i++) {
      if (names[i].equals(key)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no column " + column + " in row " + Arrays.toString(names));
  }

  public Object value(String column) {
    return values[index(column)];
  }

  public boolean isNull(String column) {
    return value(column) == null;
  }

  public String string(String column) {
    Object v = value(column);
    return v == null ? null : v.toString();
  }

  /** The column as a long; a NULL is an error (use {@link #longOrNull}). */
  public long getLong(String column) {
    Object v = value(column);
    if (v == null) {
      throw new IllegalStateException("column " + column + " is NULL");
    }
    return ((Number) v).longValue();
  }

  public Long longOrNull(String column) {
    Object v = value(column);
    return v == null ? null : ((Number) v).longValue();
  }

  public byte[] bytes(String column) {
    return (byte[]) value(column);
  }

  public double getDouble(String column) {
    return ((Number) value(column)).doubleValue();
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Row{");
    for (int i = 0; i < names.length; i++) {
      b.append(i == 0 ? "" : ", ").append(names[i]).append('=');
      b.append(values[i] instanceof byte[] bytes ? "<" + bytes.length + " bytes>" : values[i]);
    }
    return b.append('}').toString();
  }
}
