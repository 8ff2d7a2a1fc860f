package dev.cairn.registry;

import dev.cairn.castore.chunked.ChunkCollectedException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How the registry answers: JSON bodies with a Content-Type and an exact Content-Length, HEAD
 * answers with the headers a GET would get and no body (Vert.x would otherwise send a HEAD body
 * over h2c), and errors as {@code {"errors":[{"code","message","detail"}]}} (an empty 404 body
 * breaks Docker, WIRE.md §5).
 */
final class RegistryResponses {
  static final String API_VERSION = "Docker-Distribution-API-Version";
  private static final Logger LOG = Logger.getLogger("cairn.registry");

  private RegistryResponses() {}

  static void json(RoutingContext rc, int status, JsonObject body) {
    body(rc, status, "application/json", Buffer.buffer(body.encode()));
  }

  /** A complete body, or for HEAD its headers alone. */
  static void body(RoutingContext rc, int status, String contentType, Buffer body) {
    HttpServerResponse response = rc.response().setStatusCode(status).putHeader("Content-Type", contentType)
        .putHeader("Content-Length", Integer.toString(body.length()));
    if (rc.request().method() == HttpMethod.HEAD) {
      response.end();
    } else {
      response.end(body);
    }
  }

  /** Answers a failed request: a {@link RegistryError} as itself, anything else as 500 UNKNOWN (logged). */
  static void fail(RoutingContext rc, Throwable e) {
    if (rc.response().headWritten()) {
      rc.response().reset();
      return;
    }
    if (e instanceof RegistryError r) {
      error(rc, r);
    } else if (e instanceof ChunkCollectedException) {
      rc.response().putHeader("Retry-After", "1");
      error(rc, new RegistryError(503, "UNAVAILABLE", "service unavailable", "content was being collected; retry"));
    } else {
      LOG.log(Level.SEVERE, "registry " + rc.request().method() + " " + rc.request().path() + " failed", e);
      error(rc, new RegistryError(500, "UNKNOWN", "unknown error", "internal error"));
    }
  }

  static void error(RoutingContext rc, RegistryError e) {
    HttpServerRequest request = rc.request();
    if (!request.isEnded() && request.version() != HttpVersion.HTTP_2) {
      // the request body (a push) is not read: it must not be taken for the next request
      rc.response().putHeader("Connection", "close");
    }
    JsonObject error = new JsonObject().put("code", e.code()).put("message", e.getMessage()).put("detail", e.detail());
    json(rc, e.status(), new JsonObject().put("errors", new JsonArray().add(error)));
  }
}
