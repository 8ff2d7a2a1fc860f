package dev.cairn.server.http;

import dev.cairn.users.Role;
import dev.cairn.users.UserService;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.util.Set;

/**
 * On an instance configured private ({@code http.private: true}), every request but the
 * operational probes needs a token whose user has at least the {@code reader} role; writes still need their own role on top (see {@link Writes}). Checked before the
 * request reaches a route, with the request paused, so nothing of it is read first. (gRPC
 * calls are checked per call by the gRPC layer's own authentication, on the same rule.)
 *
 * <p>HTTP clients get 401 with {@code WWW-Authenticate: Basic realm="cairn"}: the challenge
 * Nix answers from its netrc file, docker and skopeo from their credentials.
 */
public final class PrivateReads {
  /** Liveness, readiness and metrics stay open: Kubernetes and Prometheus carry no tokens. */
  private static final Set<String> OPEN = Set.of("/healthz", "/readyz", "/metrics");

  private final UserService users;

  public PrivateReads(UserService users) {
    this.users = users;
  }

  /** Passes {@code request} (paused, then resumed) to {@code next} once its user may read. */
  public void check(HttpServerRequest request, Handler<HttpServerRequest> next) {
    if (OPEN.contains(request.path())) {
      next.handle(request);
      return;
    }
    request.pause();
    String header = request.getHeader("Authorization");
    users.authenticate(BearerToken.fromHeader(header).orElse(null)).onComplete(ar -> {
      if (ar.failed()) {
        refuse(request, 503, "cannot check the token now");
      } else if (ar.result().isEmpty()) {
        refuse(request, 401, header == null ? "this instance is private: send a token" : "User not found");
      } else if (!ar.result().get().role().allows(Role.READER)) {
        refuse(request, 403, "role: reader required");
      } else {
        request.resume();
        next.handle(request);
      }
    });
  }

  private static void refuse(HttpServerRequest request, int httpStatus, String detail) {
    if (httpStatus == 401) {
      request.response().putHeader("WWW-Authenticate", "Basic realm=\"cairn\"");
    }
    if (request.method() == io.vertx.core.http.HttpMethod.GET || request.method() == io.vertx.core.http.HttpMethod.HEAD) {
      request.resume(); // no body to refuse: the connection stays usable for the retry with credentials
      JsonError.send(request.response(), httpStatus, detail);
    } else {
      JsonError.sendAndClose(request, httpStatus, detail);
    }
  }
}
