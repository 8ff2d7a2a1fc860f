package dev.cairn.registry;

import dev.cairn.registry.RegistryIndex.Document;
import dev.cairn.server.http.ByteRange;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Sends a stored document (manifest, config, customisation layer) with its digest headers, ETag
 * and If-None-Match (304), and for blobs Range (206/416). The content is checked against its
 * digest before it is sent.
 */
final class Documents {
  private Documents() {}

  static void send(RoutingContext rc, Document doc, String contentType, boolean ranges) {
    if (!OciDigest.sha256Of(doc.content()).equals(doc.digest())) {
      RegistryResponses.fail(rc, new IllegalStateException("stored document " + doc.digest() + " does not hash to its digest"));
      return;
    }
    HttpServerResponse response = digestHeaders(rc, doc.digest());
    if (notModified(rc, doc.digest())) {
      return;
    }
    byte[] content = doc.content();
    if (!ranges) {
      RegistryResponses.body(rc, 200, contentType, Buffer.buffer(content));
      return;
    }
    response.putHeader("Accept-Ranges", "bytes");
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(rc.request().getHeader("Range"), content.length);
    } catch (ByteRange.Unsatisfiable e) {
      unsatisfiable(rc, content.length, e);
      return;
    }
    if (range.isEmpty()) {
      RegistryResponses.body(rc, 200, contentType, Buffer.buffer(content));
      return;
    }
    ByteRange r = range.get();
    response.putHeader("Content-Range", r.contentRange());
    RegistryResponses.body(rc, 206, contentType, Buffer.buffer(content).slice((int) r.start(), (int) (r.start() + r.length())));
  }

  static HttpServerResponse digestHeaders(RoutingContext rc, OciDigest digest) {
    return rc.response().putHeader("Docker-Content-Digest", digest.text()).putHeader("ETag", digest.etag());
  }

  /** Answers 304 when the client's If-None-Match names this digest. */
  static boolean notModified(RoutingContext rc, OciDigest digest) {
    String match = rc.request().getHeader("If-None-Match");
    if (match == null) {
      return false;
    }
    for (String tag : match.split(",")) {
      String t = tag.strip();
      if (t.startsWith("W/")) {
        t = t.substring(2);
      }
      if (t.equals("*") || t.equals(digest.etag()) || t.equals(digest.text())) {
        rc.response().setStatusCode(304).end();
        return true;
      }
    }
    return false;
  }

  static void unsatisfiable(RoutingContext rc, long total, ByteRange.Unsatisfiable e) {
    rc.response().putHeader("Content-Range", "bytes */" + total);
    RegistryResponses.error(rc, new RegistryError(416, "RANGE_INVALID", "requested range not satisfiable", e.getMessage()));
  }
}
