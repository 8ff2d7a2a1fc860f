package dev.cairn.cache;

import dev.cairn.server.http.BearerToken;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.Store;
import dev.cairn.users.Role;
import dev.cairn.users.UserService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * Which reads may pull a path through from upstream caches ({@link Store#readThrough()}) and which
 * are answered from this store alone ({@link Store#pathInfos()}).
 *
 * <p>{@code nix copy --to} asks {@code GET /<hash>.narinfo} for every path of the closure before
 * uploading (TESTING.md): an existence check, not demand for content. Pulling through there would
 * make Cairn download from upstream the very paths the client is about to upload. Those requests
 * carry the uploader's credentials (Nix sends its netrc's on every request), so: a request
 * authenticated as a writer or admin is answered locally, as is every HEAD (Nix's other existence
 * check); anonymous and reader GETs (substituters: {@code nix copy --from}, {@code nix-store -r})
 * pull through. A writer who also substitutes from Cairn should read with a reader token or none.
 */
final class PullThrough {
  private final Store store;
  private final UserService users;

  PullThrough(Store store, UserService users) {
    this.store = store;
    this.users = users;
  }

  Future<PathInfoService> source(HttpServerRequest request) {
    if (!store.hasUpstreams() || request.method() == HttpMethod.HEAD) {
      return Future.succeededFuture(store.pathInfos());
    }
    Optional<String> token = BearerToken.of(request);
    if (token.isEmpty()) {
      return Future.succeededFuture(store.readThrough());
    }
    return users.authenticate(token.get()).map(user -> user.filter(u -> u.role().allows(Role.WRITER)).isPresent()
        ? store.pathInfos() : store.readThrough());
  }
}
