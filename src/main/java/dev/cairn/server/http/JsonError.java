package dev.cairn.server.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;

/** Cairn's error body, {@code {"detail": "..."}}, as lila and the rest of the API answer. */
public final class JsonError {
  private static final long DRAIN_MILLIS = 5_000;
  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("cairn.server");
  private JsonError() {}

  public static io.vertx.core.Future<Void> send(HttpServerResponse response, int status, String detail) {
    return response.setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("detail", detail).encode());
  }

  /**
   * Answers and then closes an HTTP/1.x connection whose request body was not read: the
   * unread bytes would otherwise be taken for the next request. HTTP/2 has no such header
   * (Netty refuses connection-specific headers, which used to turn a 413 into a bare stream
   * reset); there the stream alone ends.
   */
  public static void sendAndClose(HttpServerRequest request, int status, String detail) {
    HttpServerResponse response = request.response();
    if (request.version() == HttpVersion.HTTP_2) {
      send(response, status, detail);
      if (!request.isEnded()) {
        // Clients differ on a stream whose body is refused: curl stops sending when the answer
        // arrives, the JDK's client blocks on flow control until its whole body is accepted,
        // and fails on RST_STREAM(NO_ERROR) (RFC 9113 §8.1). So the rest is read and dropped
        // (no memory is kept) for a short while, then the stream is reset.
        request.handler(dropped -> {}).endHandler(v -> {}).resume();
        io.vertx.core.Vertx.currentContext().owner().setTimer(DRAIN_MILLIS, t -> {
          if (!request.isEnded()) {
            response.reset(8);
          }
        });
      }
      return;
    }
    response.putHeader("Connection", "close");
    // Vert.x would wait for the rest of the body before closing: close once the answer is out.
    send(response, status, detail).onComplete(v -> request.connection().close());
  }

  /**
   * Whatever fails in the router with a status (a route's {@code rc.fail(413)}, Vert.x Web's own
   * 400/405/415...) answers {@code {"detail": ...}} like every handler; a failure without one
   * is a 500, logged with its stack trace (an OutOfMemoryError ends the process).
   */
  public static void answerRouterErrors(io.vertx.ext.web.Router router) {
    for (int status = 400; status < 600; status++) {
      int code = status;
      router.errorHandler(code, rc -> {
        if (code == 500) {
          OutOfMemoryExit.check(rc.failure());
          LOG.log(java.util.logging.Level.SEVERE, "unhandled error on " + rc.request().method() + " " + rc.request().path(), rc.failure());
        }
        if (!rc.response().headWritten()) {
          send(rc.response(), code, code == 500 ? "internal error" : io.netty.handler.codec.http.HttpResponseStatus.valueOf(code).reasonPhrase());
        } else if (code == 500) {
          rc.response().reset();
        }
      });
    }
  }
}
