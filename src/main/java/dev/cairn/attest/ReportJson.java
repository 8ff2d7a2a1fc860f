package dev.cairn.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON verdict of a report, written with a streaming generator: an 80,000-path report
 * is ~20 MB of JSON, and building a tree of objects first would double the work.
 */
final class ReportJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private ReportJson() {}

  static Buffer render(String name, List<PathStatus> paths, Optional<Policy> policy) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(1024, paths.size() * 256));
    try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
      ReportViews.Summary summary = ReportViews.Summary.of(paths);
      g.writeStartObject();
      g.writeStringField("report", name);
      g.writeNumberField("paths_total", paths.size());
      g.writeObjectFieldStart("counts");
      for (Map.Entry<Status, Integer> e : summary.counts().entrySet()) {
        g.writeNumberField(e.getKey().label(), e.getValue());
      }
      g.writeEndObject();
      g.writeNumberField("not_reproducible", summary.notReproducible());
      g.writeNumberField("not_fully_checked", summary.notFullyChecked());
      int accepted = 0;
      if (policy.isPresent()) {
        for (PathStatus p : paths) {
          if (policy.get().accepted(p).isPresent()) {
            accepted++;
          }
        }
        g.writeObjectFieldStart("policy");
        g.writeNumberField("k", policy.get().k());
        g.writeArrayFieldStart("builders");
        for (String b : policy.get().builders()) {
          g.writeString(b);
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeNumberField("accepted", accepted);
        g.writeBooleanField("closure_accepted", accepted == paths.size());
      }
      g.writeArrayFieldStart("paths");
      for (PathStatus p : paths) {
        writePath(g, p, policy);
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  /** One path's verdict on its own (GET /api/v1/outputs/...). */
  static Buffer path(PathStatus p) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
      writePath(g, p, Optional.empty());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  static void writePath(JsonGenerator g, PathStatus p, Optional<Policy> policy) throws IOException {
    g.writeStartObject();
    g.writeStringField("path", p.path().fullPath());
    g.writeStringField("ref", p.ref());
    g.writeStringField("status", p.status().label());
    if (p.drvPath().isPresent()) {
      g.writeStringField("drv_path", p.drvPath().get());
    }
    if (p.output().isPresent()) {
      g.writeStringField("output", p.output().get());
    }
    g.writeArrayFieldStart("clusters");
    for (Map.Entry<String, List<Vote>> c : p.clusters().entrySet()) {
      g.writeStartObject();
      g.writeStringField("hash", c.getKey());
      g.writeArrayFieldStart("builders");
      for (Vote v : c.getValue()) {
        g.writeStartObject();
        g.writeStringField("name", v.builder());
        g.writeBooleanField("verified", v.sigStatus() == SigStatus.VERIFIED);
        g.writeStringField("at", Instant.ofEpochMilli(v.createdAtMillis()).toString());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeEndArray();
    if (policy.isPresent()) {
      Optional<String> hash = policy.get().accepted(p);
      if (hash.isPresent()) {
        g.writeStringField("accepted", hash.get());
      } else {
        g.writeNullField("accepted");
      }
    }
    g.writeEndObject();
  }
}
