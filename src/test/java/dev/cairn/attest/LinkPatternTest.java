package dev.cairn.attest;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Link patterns are validated at the edge and match in linear time. */
class LinkPatternTest {
  private static String refusal(String pattern, String link) {
    return assertThrows(ValidationException.class, () -> LinkPattern.parse(pattern, link), pattern + " " + link).getMessage();
  }

  @Test
  void refusesPatternsThatAreInvalidTooLongOrExpandWithoutBound() {
    assertTrue(refusal("(", "https://x.org").startsWith("pattern: not a valid RE2 regular expression"));
    assertTrue(refusal("(a)\\1", "https://x.org").startsWith("pattern: not a valid RE2"), "no backreferences");
    assertTrue(refusal("a(?=b)", "https://x.org").startsWith("pattern: not a valid RE2"), "no lookahead");
    assertEquals("pattern: must be 1..200 characters", refusal("a".repeat(201), "https://x.org"));
    assertEquals("pattern: must be 1..200 characters", refusal("", "https://x.org"));
    assertEquals("pattern: control characters are not allowed", refusal("a\u0000b", "https://x.org"));
    assertEquals("pattern: counted repetitions are limited to {20} (got {21})", refusal("a{21}", "https://x.org"));
    assertEquals("pattern: counted repetitions are limited to {20} (got {2,99999999999})", refusal("a{2,99999999999}", "https://x.org"));
    assertEquals("pattern: a counted repetition of a group that holds one is not allowed ({20})", refusal("(a{20}){20}", "https://x.org"));
    assertTrue(refusal("((a{10}|b)){3}", "https://x.org").startsWith("pattern: a counted repetition of a group"));
    assertTrue(refusal("(a{10}\\Q)\\E){3}", "https://x.org").startsWith("pattern: a counted repetition of a group"), "\\Q..\\E is literal");
    assertTrue(refusal("a{5}{5}", "https://x.org").startsWith("pattern: a counted repetition"));
    long start = System.nanoTime();
    assertTrue(refusal("((a{1000}){1000}){1000}", "https://x.org").startsWith("pattern: counted repetitions are limited"),
        "RE2/J would exhaust the heap compiling this");
    assertTrue(System.nanoTime() - start < 1_000_000_000L);
  }

  @Test
  void acceptsOrdinaryPatterns() {
    for (String p : new String[] {"python3", "^python3-3\\.11", "(gcc|clang)-[0-9]+", "a{20}b{20}", "(?:ab)+c{2}", "[a{100}]", "x{,5}",
        "(x)(y{3})", "\\Qa{99}\\E", "((r+)+)+b", "(.*r){10}b"}) {
      try {
        LinkPattern.parse(p, "https://example.org/team");
      } catch (ValidationException e) {
        throw new AssertionError(p + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void refusesLinksThatAreNotHttpUrls() {
    assertEquals("link: must be an http:// or https:// URL", refusal("a", "javascript:alert(1)"));
    assertEquals("link: must be an http:// or https:// URL", refusal("a", "JavaScript:alert(document.cookie)"));
    assertEquals("link: must be an http:// or https:// URL", refusal("a", "data:text/html,<script>alert(1)</script>".replace("<", "%3C").replace(">", "%3E")));
    assertEquals("link: must be an http:// or https:// URL", refusal("a", "//evil.example/x"));
    assertEquals("link: must name a host", refusal("a", "https:///path"));
    assertTrue(refusal("a", "\"><img src=x>").startsWith("link: not a valid URL"));
    assertTrue(refusal("a", "https://x.org/\"onmouseover=alert(1)").startsWith("link: not a valid URL"));
    assertEquals("link: must be 1..2048 characters", refusal("a", "https://x.org/" + "a".repeat(2048)));
    assertEquals("https://example.org/a?b=1#c", LinkPattern.parse("a", "https://example.org/a?b=1#c").link());
    assertEquals("HTTP://EXAMPLE.ORG", LinkPattern.parse("a", "HTTP://EXAMPLE.ORG").link());
  }

  @Test
  void theWorstAllowedPatternsMatchInLinearTime() {
    // Patterns that make a backtracking engine take exponential time, at the longest store path name (211 characters).
    String name = "r".repeat(211);
    StringBuilder widest = new StringBuilder("(");
    while (widest.length() < 190) {
      widest.append(".*r");
    }
    widest.append("){20}b");
    for (String p : new String[] {"((r+)+)+b", "(.*r){10}b", "(.*.*.*.*.*.*.*.*.*r){20}b", widest.toString()}) {
      LinkPattern.Compiled c = LinkPattern.compileAll(java.util.List.of(LinkPattern.parse(p, "https://x.org"))).get(0);
      long start = System.nanoTime();
      assertFalse(c.matches(name));
      long millis = (System.nanoTime() - start) / 1_000_000;
      System.out.println("link pattern " + p + " on 211 characters: " + millis + " ms");
      assertTrue(millis < 2_000, p + " took " + millis + " ms");
    }
  }
}
