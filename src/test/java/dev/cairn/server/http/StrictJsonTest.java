package dev.cairn.server.http;

import dev.cairn.validation.ValidationException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StrictJsonTest {
  private static String refusal(String body) {
    return assertThrows(ValidationException.class, () -> StrictJson.parse(body, "body")).getMessage();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{} x", "{}{}", "[1]]", "[] []", "1 2", "{}\u0000", "\"a\" ,"})
  void refusesAnythingAfterTheDocument(String body) {
    assertEquals("body: trailing data after the JSON document", refusal(body));
  }

  @Test
  void refusesDuplicateKeysNamingTheKeyAndWhereItIs() {
    assertEquals("body: duplicate key \"a\" at /a", refusal("{\"a\":1,\"a\":2}"));
    assertEquals("body: duplicate key \"k\" at /0/x/k", refusal("[{\"x\":{\"k\":1,\"k\":1}}]"));
  }

  @Test
  void refusesDeepNestingAndHugeNumbersAndNamesTheRule() {
    assertEquals(true, refusal("[".repeat(65) + "]".repeat(65)).contains("64 levels"));
    assertEquals(true, refusal("[" + "9".repeat(65) + "]").contains("64 digits"));
  }

  @Test
  void acceptsOneDocumentWithSurroundingWhitespace() {
    assertEquals(2, StrictJson.parse(" \n[1, {\"a\": \"b\"}]\r\n ", "body").size());
    assertEquals("body: required", refusal(""));
    assertEquals(true, refusal("   ").startsWith("body: required"));
  }

  @Test
  void arrayElementsStopsReadingOnceOverTheCap() {
    byte[] body = "[1,2,3,4,5,6 x".getBytes(StandardCharsets.UTF_8);
    // Over the cap after 4 elements: what follows (even malformed) is never read.
    assertEquals(4, StrictJson.arrayElements(body, "body", 3).size());
    assertEquals(3, StrictJson.arrayElements("[1,2,3]".getBytes(StandardCharsets.UTF_8), "body", 3).size());
    assertThrows(ValidationException.class, () -> StrictJson.arrayElements("[1,2] x".getBytes(StandardCharsets.UTF_8), "body", 3));
    assertThrows(ValidationException.class, () -> StrictJson.arrayElements("{}".getBytes(StandardCharsets.UTF_8), "body", 3));
  }
}
