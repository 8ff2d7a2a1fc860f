package dev.cairn.attest.queue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.attest.PrintableText;
import dev.cairn.nix.NixSystem;
import dev.cairn.server.http.StrictJson;
import dev.cairn.validation.ValidationException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/** The body of {@code POST /api/v1/queue/pop}: {@code {"max"?, "system"?, "jobset"?}}, empty for the defaults. */
final class PopRequest {
  /** Jobs one pop may lease. */
  static final int MAX_JOBS = 100;
  private static final Set<String> FIELDS = Set.of("max", "system", "jobset");
  /** Jobset names are at most this long (as lila's API takes them, JobsetRoutes). */
  private static final int MAX_JOBSET = 200;

  private PopRequest() {}

  static RebuildQueue.Pop parse(byte[] body) {
    if (body.length == 0) {
      return new RebuildQueue.Pop(1, Optional.empty(), Optional.empty());
    }
    JsonNode o = StrictJson.parse(body, "body");
    if (!o.isObject()) {
      throw ValidationException.of("body: must be a JSON object {max?, system?, jobset?}");
    }
    for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw ValidationException.of(name.length() > 64 ? "body: unknown field" : name + ": unknown field (known: max, system, jobset)");
      }
    }
    int max = 1;
    JsonNode m = o.get("max");
    if (m != null) {
      if (!m.isIntegralNumber() || !m.canConvertToInt() || m.asInt() < 1 || m.asInt() > MAX_JOBS) {
        throw ValidationException.of("max: an integer from 1 to " + MAX_JOBS);
      }
      max = m.asInt();
    }
    Optional<NixSystem> system = text(o, "system").map(s -> NixSystem.parse("system", s));
    Optional<String> jobset = text(o, "jobset");
    if (jobset.isPresent() && (jobset.get().isEmpty() || jobset.get().length() > MAX_JOBSET)) {
      throw ValidationException.of("jobset: a jobset name of 1.." + MAX_JOBSET + " characters");
    }
    jobset.ifPresent(j -> PrintableText.check("jobset", j, MAX_JOBSET));
    return new RebuildQueue.Pop(max, system, jobset);
  }

  private static Optional<String> text(JsonNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null || n.isNull()) {
      return Optional.empty();
    }
    if (!n.isTextual()) {
      throw ValidationException.of(field + ": must be a string");
    }
    return Optional.of(n.asText());
  }
}
