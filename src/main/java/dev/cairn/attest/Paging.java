package dev.cairn.attest;

import dev.cairn.validation.ValidationException;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Query parameters, validated: {@code ?limit=&after=} (keyset), {@code ?offset=}, integers in
 * a range, and booleans. Each error names the parameter and the rule (never a Java exception
 * text), and a parameter given twice is refused rather than silently taking one of the two.
 */
final class Paging {
  static final int MAX_LIMIT = 10_000;

  private Paging() {}

  static Optional<Integer> limit(RoutingContext rc) {
    return intParam(rc, "limit", 1, MAX_LIMIT);
  }

  static long after(RoutingContext rc) {
    String v = single(rc, "after");
    if (v == null) {
      return 0;
    }
    try {
      long n = Long.parseLong(v);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw ValidationException.of("after: must be an id, an integer in 0.." + Long.MAX_VALUE + " (got \"" + clip(v) + "\")");
    }
  }

  static Optional<Integer> intParam(RoutingContext rc, String name, int min, int max) {
    String v = single(rc, name);
    if (v == null) {
      return Optional.empty();
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new NumberFormatException();
      }
      return Optional.of(n);
    } catch (NumberFormatException e) {
      throw ValidationException.of(name + ": must be an integer in " + min + ".." + max + " (got \"" + clip(v) + "\")");
    }
  }

  /** {@code true}/{@code false}/{@code 1}/{@code 0}; absent is false. Anything else is an error, never a silent false. */
  static boolean bool(RoutingContext rc, String name) {
    String v = single(rc, name);
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw ValidationException.of(name + ": must be true, false, 1 or 0 (got \"" + clip(v) + "\")");
    };
  }

  /** A text parameter: printable, bounded, given at most once; null when absent. */
  static String text(RoutingContext rc, String name) {
    String v = single(rc, name);
    return v == null ? null : PrintableText.check(name, v, 64 << 10);
  }

  private static String single(RoutingContext rc, String name) {
    var all = rc.queryParams().getAll(name);
    if (all.size() > 1) {
      throw ValidationException.of(name + ": given " + all.size() + " times, at most once allowed");
    }
    return all.isEmpty() ? null : all.get(0);
  }

  private static String clip(String v) {
    return v.length() > 40 ? v.substring(0, 40) + "…" : v;
  }
}
