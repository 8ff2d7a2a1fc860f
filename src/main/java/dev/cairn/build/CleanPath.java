package dev.cairn.build;

import dev.cairn.validation.ValidationException;
import java.util.List;

/**
 * The path rules of a BuildRequest (WIRE.md §3): a clean relative path has no {@code .},
 * {@code ..} or empty components, no leading or trailing {@code /} ({@code ""} is clean, the
 * root); a clean absolute path is {@code /} followed by a non-empty clean relative one.
 */
final class CleanPath {
  private static final int MAX_LENGTH = 4095;

  private CleanPath() {}

  static String relative(String field, String path) {
    if (path.length() > MAX_LENGTH) {
      throw new ValidationException(field, "a path must be at most " + MAX_LENGTH + " characters");
    }
    if (path.isEmpty()) {
      return path;
    }
    if (path.startsWith("/")) {
      throw new ValidationException(field, "must be a relative path, got \"" + path + "\"");
    }
    components(field, path);
    return path;
  }

  static String absolute(String field, String path) {
    if (!path.startsWith("/") || path.length() == 1) {
      throw new ValidationException(field, "must be a clean absolute path, got \"" + path + "\"");
    }
    components(field, path.substring(1));
    return path;
  }

  private static void components(String field, String path) {
    for (String c : path.split("/", -1)) {
      if (c.isEmpty() || c.equals(".") || c.equals("..")) {
        throw new ValidationException(field, "must be a clean path (no empty, '.' or '..' components, no trailing '/'), got \""
            + path + "\"");
      }
      if (c.indexOf('\0') >= 0) {
        throw new ValidationException(field, "must not contain NUL");
      }
    }
  }

  /** Whether {@code path} is {@code prefix} or lies below it, component-wise ("" contains everything). */
  static boolean isUnder(String path, String prefix) {
    return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
  }

  /** Elements strictly increasing (sorted, no duplicates). */
  static void sorted(String field, List<String> values) {
    for (int i = 1; i < values.size(); i++) {
      if (values.get(i).compareTo(values.get(i - 1)) <= 0) {
        throw new ValidationException(field + "[" + i + "]", "must be sorted and unique; \"" + values.get(i) + "\" follows \""
            + values.get(i - 1) + "\"");
      }
    }
  }
}
