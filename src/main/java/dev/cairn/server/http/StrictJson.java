package dev.cairn.server.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cairn.validation.ValidationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one JSON reader for request bodies. Stricter than Jackson's defaults, because a body
 * that two parsers read differently is an attack surface (the last of two duplicate keys wins
 * in Jackson, the first in some other readers; data after the document would be ignored):
 * duplicate keys, anything after the document, nesting deeper than {@value #MAX_DEPTH}, and
 * numbers longer than {@value #MAX_NUMBER_LENGTH} digits are refused. Every error is an
 * {@link ValidationException} whose message starts with the caller's {@code where}.
 */
public final class StrictJson {
  static final int MAX_DEPTH = 64;
  static final int MAX_NUMBER_LENGTH = 64;
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:Object property|field) \"?'?([^\"']*)['\"]?");

  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  /** For one element inside an array: what follows it is the rest of the array, not trailing data. */
  private static final ObjectReader ELEMENT = MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private StrictJson() {}

  /** One JSON document, nothing after it but whitespace. */
  public static JsonNode parse(byte[] body, String where) {
    if (body.length == 0) {
      throw ValidationException.of(where + ": required");
    }
    try (JsonParser p = MAPPER.createParser(body)) {
      JsonNode node = ELEMENT.readTree(p);
      if (node == null || node.isMissingNode()) {
        throw ValidationException.of(where + ": required (no JSON document)");
      }
      requireEnd(p, where);
      return node;
    } catch (IOException e) {
      throw error(e, where);
    }
  }

  /** Whatever follows the document, even what is not JSON (a stray ']' or a NUL), is trailing data. */
  private static void requireEnd(JsonParser p, String where) {
    JsonToken next;
    try {
      next = p.nextToken();
    } catch (IOException e) {
      next = JsonToken.NOT_AVAILABLE;
    }
    if (next != null) {
      throw ValidationException.of(where + ": trailing data after the JSON document");
    }
  }

  public static JsonNode parse(String body, String where) {
    return parse(body.getBytes(StandardCharsets.UTF_8), where);
  }

  /**
   * The elements of a top-level JSON array, read one at a time so that a huge array is
   * refused after {@code max + 1} elements instead of being held whole: the caller sees at
   * most {@code max + 1} elements and refuses the body when it got more than {@code max}.
   */
  public static List<JsonNode> arrayElements(byte[] body, String where, int max) {
    List<JsonNode> out = new ArrayList<>();
    try (JsonParser p = MAPPER.createParser(body)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw ValidationException.of(where + ": must be a JSON array");
      }
      while (p.nextToken() != JsonToken.END_ARRAY) {
        out.add(ELEMENT.readTree(p));
        if (out.size() > max) {
          return out;
        }
      }
      requireEnd(p, where);
      return out;
    } catch (IOException e) {
      throw error(e, where);
    }
  }

  private static ValidationException error(IOException e, String where) {
    String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : String.valueOf(e.getMessage());
    Matcher dup = DUPLICATE.matcher(message);
    if (dup.find()) {
      JsonParser p = e instanceof StreamReadException r ? r.getProcessor() : null;
      String path = p != null && p.getParsingContext() != null ? p.getParsingContext().pathAsPointer().toString() : "";
      return ValidationException.of(where + ": duplicate key \"" + dup.group(1) + "\"" + (path.isEmpty() ? "" : " at " + path));
    }
    if (message.startsWith("Trailing token")) {
      return ValidationException.of(where + ": trailing data after the JSON document");
    }
    if (e instanceof StreamConstraintsException) {
      return ValidationException.of(where + ": too deeply nested or too long a number (at most " + MAX_DEPTH + " levels, "
          + MAX_NUMBER_LENGTH + " digits)");
    }
    String location = e instanceof JsonProcessingException j && j.getLocation() != null
        ? " at line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() : "";
    String first = message.lines().findFirst().orElse("");
    return ValidationException.of(where + ": not valid JSON" + location + ": "
        + (first.length() > 200 ? first.substring(0, 200) + "…" : first));
  }
}
