package dev.cairn.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The JSON verdict of a report ({@code GET /api/v1/reports/{name}}) and of one output, written
 * with Jackson's streaming generator: an 80,000-path report is tens of megabytes, and building
 * a tree of {@code JsonObject}s first costs more than the database queries. A report's entries
 * leave out vote timestamps (240,000 of them for 80,000 paths and 3 builders); {@code
 * /api/v1/outputs/{digest-name}} has them.
 */
final class ReportJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private ReportJson() {}

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  /** Generates straight into a Netty-backed buffer: Jackson hands over 8 KB chunks, no copies of the whole. */
  private static Buffer generate(int sizeHint, Body body) {
    Buffer out = Buffer.buffer(Math.max(256, sizeHint));
    OutputStream sink = new OutputStream() {
      @Override
      public void write(int b) {
        out.appendByte((byte) b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        out.appendBytes(b, off, len);
      }
    };
    try (JsonGenerator g = FACTORY.createGenerator(sink)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  static Buffer render(String name, int version, List<PathStatus> paths, Optional<Policy> policy) {
    return generate(paths.size() * 400, g -> {
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
      if (policy.isPresent()) {
        int accepted = 0;
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
        writePath(g, p, policy, false);
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }

  /** One path's verdict on its own (GET /api/v1/outputs/...), with when each builder voted. */
  static Buffer path(PathStatus p) {
    return generate(1024, g -> writePath(g, p, Optional.empty(), true));
  }

  static void writePath(JsonGenerator g, PathStatus p, Optional<Policy> policy, boolean withTimes) throws IOException {
    g.writeStartObject();
    g.writeStringField("path", p.path().fullPath());
    if (!p.path().isStorePath()) {
      // Only lila's routes take placeholders; /api/v1 shows them flagged (issue 13).
      g.writeBooleanField("store_path", false);
    }
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
        if (withTimes) {
          g.writeStringField("at", Instant.ofEpochMilli(v.createdAtMillis()).toString());
        }
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
