package dev.cairn.server.http;

import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * The API token a request carries: {@code Authorization: Bearer <token>} (lila's clients),
 * or the password of HTTP Basic (what Nix sends from a netrc file).
 */
public final class BearerToken {
  private BearerToken() {}

  public static Optional<String> of(HttpServerRequest request) {
    return fromHeader(request.getHeader("Authorization"));
  }

  /** The token of an {@code Authorization} header value (HTTP, or gRPC's {@code authorization} metadata); empty when absent or malformed. */
  public static Optional<String> fromHeader(String header) {
    if (header == null) {
      return Optional.empty();
    }
    if (header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = header.substring(7).strip();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
    if (header.regionMatches(true, 0, "Basic ", 0, 6)) {
      try {
        String decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        int colon = decoded.indexOf(':');
        return colon < 0 || colon == decoded.length() - 1 ? Optional.empty() : Optional.of(decoded.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
