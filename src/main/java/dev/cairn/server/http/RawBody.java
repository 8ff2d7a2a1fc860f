package dev.cairn.server.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a request body of at most {@code limit} bytes, whatever its Content-Type: clients like
 * {@code curl --data @file} label JSON as a form, and Vert.x's BodyHandler would then try to
 * parse it as one. Larger bodies get 413 and are not read further.
 */
public final class RawBody implements Handler<RoutingContext> {
  private static final String KEY = "cairn.rawBody";
  private final long limit;

  private RawBody(long limit) {
    this.limit = limit;
  }

  public static RawBody limit(long bytes) {
    return new RawBody(bytes);
  }

  /** The body read by this handler (empty if there was none). */
  public static Buffer of(RoutingContext rc) {
    Buffer b = rc.get(KEY);
    return b == null ? Buffer.buffer() : b;
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    String declared = request.getHeader("Content-Length");
    if (declared != null && declared.matches("[0-9]{1,18}") && Long.parseLong(declared) > limit) {
      tooLarge(rc);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] rejected = {false};
    request.handler(chunk -> {
      if (rejected[0]) {
        return;
      }
      if (body.length() + (long) chunk.length() > limit) {
        rejected[0] = true;
        tooLarge(rc);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!rejected[0]) {
        rc.put(KEY, body);
        rc.next();
      }
    });
    request.exceptionHandler(rc::fail);
    request.resume();
  }

  private void tooLarge(RoutingContext rc) {
    rc.response().setStatusCode(413).putHeader("Content-Type", "application/json").putHeader("Connection", "close")
        .end(new JsonObject().put("detail", "body: larger than the limit of " + limit + " bytes").encode());
  }
}
