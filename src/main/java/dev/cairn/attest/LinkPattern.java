package dev.cairn.attest;

import dev.cairn.validation.ValidationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;

/**
 * An operator's link pattern (lila's): disagreeing paths whose name matches {@code pattern}
 * are listed under {@code link} on a report's HTML page. Patterns are matched on every
 * render, so they use RE2 syntax through a linear-time engine (RE2/J): no backreferences or
 * lookaround, and no pattern makes a render backtrack ({@code ((r+)+)+b} took seconds per
 * render with java.util.regex, {@code (.*r){10}b} never finished). RE2/J has no bound on
 * the program a counted repetition expands to ({@code ((a{1000}){1000}){1000}} exhausts the
 * heap while compiling), so counts are bounded and not nested.
 */
public record LinkPattern(String pattern, String link) {
  static final int MAX_PATTERN_CHARS = 200;
  static final int MAX_REPEAT = 20;
  static final int MAX_LINK_CHARS = 2048;
  private static final java.util.regex.Pattern REPEAT = java.util.regex.Pattern.compile("\\{([0-9]+)(,([0-9]*))?\\}");

  /** A pattern and link from outside, validated; the message names the field and the rule. */
  public static LinkPattern parse(String pattern, String link) {
    compile(pattern);
    checkLink(link);
    return new LinkPattern(pattern, link);
  }

  /** A pattern compiled for matching store path names, or IllegalArgumentException naming {@code pattern}. */
  static com.google.re2j.Pattern compile(String pattern) {
    if (pattern == null || pattern.isEmpty() || pattern.length() > MAX_PATTERN_CHARS) {
      throw ValidationException.of("pattern: must be 1.." + MAX_PATTERN_CHARS + " characters");
    }
    if (pattern.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw ValidationException.of("pattern: control characters are not allowed");
    }
    checkRepetitions(pattern);
    try {
      return com.google.re2j.Pattern.compile(pattern);
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw ValidationException.of("pattern: not a valid RE2 regular expression: " + e.getDescription());
    }
  }

  /**
   * Counted repetitions at most {@value #MAX_REPEAT} and never inside a repeated group, so a
   * compiled pattern stays within a few thousand instructions. Scans the text as RE2 reads
   * it: escapes and character classes hold no repetition; a '{' that does not start a valid
   * count is a literal.
   */
  private static void checkRepetitions(String p) {
    List<Boolean> groupHasCount = new ArrayList<>();
    groupHasCount.add(false);
    boolean lastWasGroupWithCount = false;
    boolean lastWasCount = false;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      boolean closedGroupWithCount = false;
      boolean count = false;
      if (c == '\\' && p.startsWith("Q", i + 1)) {
        // \Q...\E quotes literally: nothing inside opens a group or counts.
        int end = p.indexOf("\\E", i + 2);
        i = end < 0 ? p.length() : end + 1;
      } else if (c == '\\') {
        i++;
      } else if (c == '[') {
        i = endOfClass(p, i);
      } else if (c == '(') {
        groupHasCount.add(false);
      } else if (c == ')' && groupHasCount.size() > 1) {
        closedGroupWithCount = groupHasCount.remove(groupHasCount.size() - 1);
        if (closedGroupWithCount) {
          groupHasCount.set(groupHasCount.size() - 1, true);
        }
      } else if (c == '{') {
        Matcher m = REPEAT.matcher(p).region(i, p.length());
        if (m.lookingAt()) {
          long low = Long.parseLong(m.group(1).length() > 9 ? "9999999999" : m.group(1));
          String high = m.group(3);
          long max = high == null ? low : high.isEmpty() ? low : Long.parseLong(high.length() > 9 ? "9999999999" : high);
          if (Math.max(low, max) > MAX_REPEAT) {
            throw ValidationException.of("pattern: counted repetitions are limited to {" + MAX_REPEAT + "} (got " + m.group() + ")");
          }
          if (lastWasGroupWithCount || lastWasCount) {
            throw ValidationException.of("pattern: a counted repetition of a group that holds one is not allowed (" + m.group() + ")");
          }
          groupHasCount.set(groupHasCount.size() - 1, true);
          i = m.end() - 1;
          count = true;
        }
      }
      lastWasGroupWithCount = closedGroupWithCount;
      lastWasCount = count;
    }
  }

  /** The index of the ']' closing the class that opens at {@code start} (or the end of the text). */
  private static int endOfClass(String p, int start) {
    int i = start + 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    if (i < p.length() && p.charAt(i) == ']') {
      i++;
    }
    while (i < p.length() && p.charAt(i) != ']') {
      if (p.charAt(i) == '\\') {
        i++;
      } else if (p.startsWith("[:", i)) {
        int close = p.indexOf(":]", i + 2);
        i = close < 0 ? i : close + 1;
      }
      i++;
    }
    return i;
  }

  /** Links are shown as links: an absolute http(s) URL, nothing a browser would run. */
  private static void checkLink(String link) {
    if (link == null || link.isEmpty() || link.length() > MAX_LINK_CHARS) {
      throw ValidationException.of("link: must be 1.." + MAX_LINK_CHARS + " characters");
    }
    URI uri;
    try {
      uri = new URI(link);
    } catch (URISyntaxException e) {
      throw ValidationException.of("link: not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw ValidationException.of("link: must be an http:// or https:// URL");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw ValidationException.of("link: must name a host");
    }
  }

  static boolean isValidLink(String link) {
    try {
      checkLink(link);
      return true;
    } catch (ValidationException e) {
      return false;
    }
  }

  /** A pattern ready to match, with its link. */
  record Compiled(com.google.re2j.Pattern regex, String link) {
    boolean matches(String name) {
      return regex.matcher(name).find();
    }
  }

  /** Compiles stored patterns once per render; a stored row that no longer passes validation groups nothing. */
  static List<Compiled> compileAll(List<LinkPattern> patterns) {
    List<Compiled> out = new ArrayList<>(patterns.size());
    for (LinkPattern p : patterns) {
      try {
        out.add(new Compiled(compile(p.pattern()), p.link()));
      } catch (ValidationException e) {
        // Stored before patterns were validated (or under Java's regex syntax): skipped.
      }
    }
    return out;
  }
}
