package dev.cairn.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON verdict of a report ({@code GET /api/v1/reports/{name}}), written with Jackson's
 * streaming generator: an 80,000-path report is tens of megabytes, and building a tree of
 * {@code JsonObject}s first costs more than the database queries. Timestamps of votes are
 * left to {@code /api/v1/outputs/{digest-name}} to keep the per-path entry small.
 */
final class ReportJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private ReportJson() {}

  static Buffer render(String name, int version, List<PathStatus> paths, Optional<Policy> policy) {
    Buffer body = Buffer.buffer(Math.max(1024, paths.size() * 400));
    // Jackson writes in 8 KB chunks; appending them to the response buffer avoids the copies
    // a ByteArrayOutputStream would make of a body this size.
    OutputStream sink = new OutputStream() {
      @Override
      public void write(int b) {
        body.appendByte((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        body.appendBytes(b, off, len);
      }
    };
    try (JsonGenerator g = FACTORY.createGenerator(sink)) {
      ReportViews.Summary summary = ReportViews.Summary.of(paths);
      g.writeStartObject();
      g.writeStringField("report", name);
      g.writeNumberField("version", version);
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
        if (policy.isPresent()) {
          Optional<String> hash = policy.get().accepted(p);
          if (hash.isPresent()) {
            g.writeStringField("accepted", hash.get());
          } else {
            g.writeNullField("accepted");
          }
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
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return body;
  }
}
