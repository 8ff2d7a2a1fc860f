package dev.cairn.cache;

import dev.cairn.castore.BlobService;
import dev.cairn.nix.StorePath;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.JsonError;
import dev.cairn.server.http.RawBody;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Logger;

/**
 * {@code PUT /log/<drv basename>} ({@code nix store copy-log --to http://…}: the plain log,
 * {@code text/plain; charset=utf-8}, no Content-Encoding) and {@code GET /log/<drv basename>}
 * ({@code nix log}, which asks for the deriver's log when given an output path).
 */
final class BuildLogRoutes {
  private static final Logger LOG = Logger.getLogger("cairn.cache");
  private static final int PIECE = 64 << 10;

  private final BuildLogs logs;
  private final BlobService blobs;

  BuildLogRoutes(BuildLogs logs, BlobService blobs) {
    this.logs = logs;
    this.blobs = blobs;
  }

  /** After {@code Writes.body}: the uploader is a writer and the body is in. */
  void put(RoutingContext rc) {
    StorePath drv;
    try {
      drv = BuildLogs.drv(rc.pathParam("drv"));
      String encoding = rc.request().getHeader("Content-Encoding");
      if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
        JsonError.send(rc.response(), 415, "Content-Encoding: logs are accepted uncompressed, got \"" + encoding + "\"");
        return;
      }
    } catch (ValidationException e) {
      HttpErrors.answer(rc, e);
      return;
    }
    logs.put(drv, RawBody.of(rc)).onSuccess(stored -> rc.response().setStatusCode(204).end())
        .onFailure(e -> HttpErrors.answer(rc, e));
  }

  void get(RoutingContext rc) {
    StorePath drv;
    try {
      drv = BuildLogs.drv(rc.pathParam("drv"));
    } catch (ValidationException e) {
      JsonError.send(rc.response(), 400, e.getMessage());
      return;
    }
    logs.get(drv).compose(found -> {
      if (found.isEmpty()) {
        JsonError.send(rc.response(), 404, "no log of " + drv.baseName() + " in this cache");
        return Future.succeededFuture();
      }
      return blobs.open(found.get().blob()).compose(reader -> {
        if (reader.isEmpty()) {
          LOG.severe("the log of " + drv.baseName() + " names blob " + found.get().blob() + ", which is missing");
          JsonError.send(rc.response(), 500, "the log of " + drv.baseName() + " is missing from the blob store");
          return Future.succeededFuture();
        }
        HttpServerResponse response = rc.response().putHeader("Content-Type", "text/plain; charset=utf-8")
            .putHeader("Content-Length", Long.toString(reader.get().length()));
        return reader.get().pipeTo(response, PIECE).compose(v -> response.end(), e -> {
          response.reset();
          return Future.succeededFuture();
        });
      });
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }
}
