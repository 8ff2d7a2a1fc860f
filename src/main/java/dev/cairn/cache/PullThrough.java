package dev.cairn.cache;

import dev.cairn.server.http.BearerToken;
import dev.cairn.store.PathInfoService;
import dev.cairn.store.Store;
import dev.cairn.users.Role;
import dev.cairn.users.UserService;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.Optional;

/**
 * Which reads may pull a path through from upstream caches ({@link Store#readThrough()}) and which
 * are answered from this store alone ({@link Store#pathInfos()}).
 *
 * <p>{@code nix copy --to} asks {@code GET /<hash>.narinfo} for every path of the closure before
 * uploading (TESTING.md): an existence check, not demand for content. Pulling through there would
 * make Cairn download from upstream the very paths the client is about to upload. Those requests
 * carry the uploader's credentials (Nix sends its netrc's on every request), so a request
 * authenticated as a writer or admin is answered locally. Anonymous and reader requests
 * (substituters) pull through, HEAD included: {@code nix copy --from http://…} starts with
 * {@code HEAD /<hash>.narinfo} (Nix's isValidPath) and gives up on a 404. A writer who also
 * substitutes from Cairn should read with a reader token or none.
 */
final class PullThrough {
  private final Store store;
  private final UserService users;

  PullThrough(Store store, UserService users) {
    this.store = store;
    this.users = users;
  }

  Future<PathInfoService> source(HttpServerRequest request) {
    if (!store.hasUpstreams()) {
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
