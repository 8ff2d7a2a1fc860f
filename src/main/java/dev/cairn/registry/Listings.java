package dev.cairn.registry;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v2/<name>/tags/list} and {@code /v2/_catalog}, paged with {@code n} and {@code last} in
 * lexical order; a {@code Link: <…>; rel="next"} header when more follow.
 */
final class Listings {
  static final int MAX_PAGE = 1000;

  private final ImageResolver resolver;
  private final RegistryIndex index;

  Listings(ImageResolver resolver, RegistryIndex index) {
    this.resolver = resolver;
    this.index = index;
  }

  /** A name has the tag latest when its packages resolve. */
  void tags(RoutingContext rc, ImageName name) {
    int n = pageSize(rc);
    Optional<String> last = Optional.ofNullable(rc.request().getParam("last"));
    resolver.packages(name).onSuccess(tops -> {
      List<String> tags = List.of(Manifests.LATEST).stream().filter(t -> last.isEmpty() || t.compareTo(last.get()) > 0).toList();
      page(rc, "/v2/" + name.repository() + "/tags/list", new JsonObject().put("name", name.repository()), "tags", tags, n);
    }).onFailure(e -> RegistryResponses.fail(rc, e instanceof RegistryError r && r.code().equals("MANIFEST_UNKNOWN")
        ? RegistryError.nameUnknown(name.repository(), r.detail()) : e));
  }

  /** The images resolved so far. */
  void catalog(RoutingContext rc) {
    int n = pageSize(rc);
    Optional<String> last = Optional.ofNullable(rc.request().getParam("last"));
    index.repositories(last, n + 1).onSuccess(repos -> page(rc, "/v2/_catalog", new JsonObject(), "repositories", repos, n))
        .onFailure(e -> RegistryResponses.fail(rc, e));
  }

  /** Answers the first {@code n} of {@code items} (which may hold one more, meaning "more follow"). */
  private static void page(RoutingContext rc, String path, JsonObject body, String field, List<String> items, int n) {
    List<String> shown = items.subList(0, Math.min(n, items.size()));
    if (items.size() > n && !shown.isEmpty()) {
      String next = path + "?n=" + n + "&last=" + URLEncoder.encode(shown.get(shown.size() - 1), StandardCharsets.UTF_8);
      rc.response().putHeader("Link", "<" + next + ">; rel=\"next\"");
    }
    RegistryResponses.json(rc, 200, body.put(field, new JsonArray(shown)));
  }

  private static int pageSize(RoutingContext rc) {
    String n = rc.request().getParam("n");
    if (n == null) {
      return MAX_PAGE;
    }
    if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit)) {
      throw new RegistryError(400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested", "n: must be a number 0.." + MAX_PAGE);
    }
    return Math.min(Integer.parseInt(n), MAX_PAGE);
  }
}
