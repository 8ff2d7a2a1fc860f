package dev.cairn.registry;

import dev.cairn.server.http.BearerToken;
import dev.cairn.users.UserService;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Pull authentication for a private registry ({@code registry.private: true}), in the token flow
 * docker, podman and containerd speak: an unauthenticated request gets 401 with
 * {@code WWW-Authenticate: Bearer realm="<base>/v2/token",service="cairn",scope="repository:<name>:pull"};
 * the client asks the realm with HTTP Basic (any user name, a Cairn user's token as the password)
 * and gets that same token back as its bearer token, which every later request carries. Tokens
 * are therefore checked like every other Cairn token (stored hashed, revocation immediate), and
 * any replica accepts them. Any active user may pull. On a public registry everything passes.
 */
final class PullAuth {
  static final String TOKEN_PATH = "token";
  private static final String SERVICE = "cairn";

  private final Optional<UserService> users;
  private final int tokenSeconds;

  private PullAuth(Optional<UserService> users, int tokenSeconds) {
    this.users = users;
    this.tokenSeconds = tokenSeconds;
  }

  static PullAuth create(RegistryConfig config, UserService users) {
    return new PullAuth(config.privateRegistry() ? Optional.of(users) : Optional.empty(), config.tokenSeconds());
  }

  /** Runs {@code next} when the request may read {@code repository} (empty: the ping or the catalog). */
  void check(RoutingContext rc, String repository, Runnable next) {
    if (users.isEmpty()) {
      next.run();
      return;
    }
    HttpServerRequest request = rc.request();
    Optional<String> token = BearerToken.of(request);
    if (token.isEmpty()) {
      challenge(rc, repository, RegistryError.unauthorized("send a token: docker login / skopeo --creds with a Cairn token"));
      return;
    }
    users.get().authenticate(token.get()).onSuccess(user -> {
      if (user.isEmpty()) {
        challenge(rc, repository, RegistryError.unauthorized("the token is not a Cairn user's"));
      } else {
        next.run();
      }
    }).onFailure(e -> RegistryResponses.fail(rc, e));
  }

  /** {@code GET /v2/token}: Basic credentials in, a bearer token out. */
  void token(RoutingContext rc) {
    if (users.isEmpty()) {
      // A public registry never challenges, so no client asks; answer a token that means "anonymous".
      RegistryResponses.json(rc, 200, tokenBody("anonymous"));
      return;
    }
    Optional<String> token = BearerToken.of(rc.request());
    if (token.isEmpty()) {
      rc.response().putHeader("WWW-Authenticate", "Basic realm=\"cairn\"");
      RegistryResponses.error(rc, RegistryError.unauthorized("log in with a Cairn token as the password"));
      return;
    }
    users.get().authenticate(token.get()).onSuccess(user -> {
      if (user.isEmpty()) {
        rc.response().putHeader("WWW-Authenticate", "Basic realm=\"cairn\"");
        RegistryResponses.error(rc, RegistryError.unauthorized("the password is not a Cairn user's token"));
      } else {
        RegistryResponses.json(rc, 200, tokenBody(token.get()));
      }
    }).onFailure(e -> RegistryResponses.fail(rc, e));
  }

  private JsonObject tokenBody(String token) {
    return new JsonObject().put("token", token).put("access_token", token).put("expires_in", tokenSeconds);
  }

  private static void challenge(RoutingContext rc, String repository, RegistryError error) {
    HttpServerRequest request = rc.request();
    String realm = request.scheme() + "://" + request.authority() + "/v2/" + TOKEN_PATH;
    String header = "Bearer realm=\"" + realm + "\",service=\"" + SERVICE + "\"";
    if (!repository.isEmpty()) {
      header += ",scope=\"repository:" + repository + ":pull\"";
    }
    rc.response().putHeader("WWW-Authenticate", header);
    RegistryResponses.error(rc, error);
  }
}
