package dev.cairn.build;

import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.JsonError;
import dev.cairn.server.http.RawBody;
import dev.cairn.server.http.StrictJson;
import dev.cairn.server.http.Writes;
import dev.cairn.users.Role;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/** /api/v1/builds: submit, list, show, follow the log, cancel. Parse → call the service → render. */
final class BuildRoutes {
  private static final String PREFIX = "/api/v1/builds";
  private static final long MAX_BODY = 64L << 20;
  private static final int LOG_PIECE = 64 << 10;
  private static final long LOG_POLL_MS = 200;

  private final BuildService builds;
  private final Writes writes;
  private final Vertx vertx;

  BuildRoutes(BuildService builds, Writes writes, Vertx vertx) {
    this.builds = builds;
    this.writes = writes;
    this.vertx = vertx;
  }

  void mount(Router router) {
    router.post(PREFIX).handler(writes.body(MAX_BODY, Role.WRITER)).handler(this::submit);
    router.get(PREFIX).handler(rc -> json(rc, 200, BuildJson.status(builds.status()).toString()));
    router.get(PREFIX + "/:id").handler(rc -> job(rc).ifPresent(j -> json(rc, 200, BuildJson.job(j).toString())));
    router.get(PREFIX + "/:id/log").handler(this::log);
    router.delete(PREFIX + "/:id").handler(writes.noBody(Role.WRITER)).handler(this::cancel);
  }

  private void submit(RoutingContext rc) {
    try {
      BuildJson.Submission s = BuildJson.parse(StrictJson.parse(RawBody.of(rc).getBytes(), "body"));
      BuildJob job = builds.submit(s.request(), s.register(), Writes.user(rc));
      json(rc, 202, BuildJson.job(job).toString());
    } catch (RuntimeException e) {
      HttpErrors.answer(rc, e);
    }
  }

  private Optional<BuildJob> job(RoutingContext rc) {
    Optional<BuildJob> job = builds.get(rc.pathParam("id"));
    if (job.isEmpty()) {
      JsonError.send(rc.response(), 404, "no build " + rc.pathParam("id"));
    }
    return job;
  }

  private void cancel(RoutingContext rc) {
    job(rc).ifPresent(j -> {
      boolean cancelled = builds.cancel(j);
      json(rc, cancelled ? 202 : 409, BuildJson.job(j).put("cancelled", cancelled).toString());
    });
  }

  /** The log so far, then whatever comes while the build runs; ends when the build has ended. */
  private void log(RoutingContext rc) {
    job(rc).ifPresent(j -> {
      HttpServerResponse response = rc.response().setChunked(true).putHeader("content-type", "text/plain; charset=utf-8");
      follow(response, j.log(), 0);
    });
  }

  private void follow(HttpServerResponse response, BuildLog log, long from) {
    if (response.closed()) {
      return;
    }
    BuildLog.Piece piece = log.read(from, LOG_PIECE);
    if (piece.bytes().length > 0) {
      response.write(Buffer.buffer(piece.bytes()));
    }
    if (piece.finished()) {
      response.end();
    } else if (piece.bytes().length == LOG_PIECE && !response.writeQueueFull()) {
      follow(response, log, piece.next());
    } else if (response.writeQueueFull()) {
      response.drainHandler(v -> follow(response, log, piece.next()));
    } else {
      vertx.setTimer(LOG_POLL_MS, t -> follow(response, log, piece.next()));
    }
  }

  private static void json(RoutingContext rc, int status, String body) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }
}
