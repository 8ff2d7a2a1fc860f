package dev.cairn.frankenbuild;

import dev.cairn.nix.StorePath;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.server.http.JsonError;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.StorePathDigest;
import dev.cairn.validation.ValidationException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /api/v1/paths/<hash32>}: a stored PathInfo as JSON with its references by content;
 * {@code GET /api/v1/paths/<hash32>/closure-check}: the Frankenbuild check of its closure.
 * Unknown path 404, a malformed hash 400 (as for {@code /<hash32>.narinfo}).
 */
final class PathRoutes {
  private final PathInfoService pathInfos;
  private final ClosureCheck check;

  PathRoutes(PathInfoService pathInfos, ClosureCheck check) {
    this.pathInfos = pathInfos;
    this.check = check;
  }

  void mount(Router router, String prefix) {
    router.get(prefix + "/paths/:hash").handler(this::pathInfo);
    router.get(prefix + "/paths/:hash/closure-check").handler(this::closureCheck);
  }

  private void pathInfo(RoutingContext rc) {
    StorePathDigest digest = digest(rc);
    if (digest == null) {
      return;
    }
    pathInfos.get(digest).onSuccess(found -> {
      if (found.isEmpty()) {
        JsonError.send(rc.response(), 404, "no such path in this store");
      } else {
        json(rc, ClosureJson.pathInfo(found.get()));
      }
    }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  private void closureCheck(RoutingContext rc) {
    StorePathDigest digest = digest(rc);
    if (digest == null) {
      return;
    }
    pathInfos.get(digest).compose(found -> found.isEmpty() ? io.vertx.core.Future.succeededFuture((JsonObject) null)
            : check.check(found.get().storePath()).map(ClosureJson::report))
        .onSuccess(report -> {
          if (report == null) {
            JsonError.send(rc.response(), 404, "no such path in this store");
          } else {
            json(rc, report);
          }
        }).onFailure(e -> HttpErrors.answer(rc, e));
  }

  /** The path's digest, or null after answering 400 for a malformed hash. */
  private static StorePathDigest digest(RoutingContext rc) {
    try {
      return StorePathDigest.of("hash", StorePath.fromHashPart(rc.pathParam("hash")));
    } catch (ValidationException e) {
      JsonError.send(rc.response(), 400, "hash: must be a store path's 32-character nixbase32 hash part: " + e.getMessage());
      return null;
    }
  }

  private static void json(RoutingContext rc, JsonObject body) {
    rc.response().putHeader("Content-Type", "application/json").end(body.encode());
  }
}
