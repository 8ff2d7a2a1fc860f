package dev.cairn.server.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * {@code Expect: 100-continue} (curl, and so Nix, sends it before a PUT body over 1 MiB): the
 * server does not answer it automatically, so a client is asked for its body only once the
 * request is authenticated and accepted; a refusal before that is sent without the body read.
 */
final class ExpectContinue {
  private ExpectContinue() {}

  /** Asks the client for its body if it waits for that; call right before reading the body. */
  static void ask(HttpServerRequest request) {
    String expect = request.getHeader("Expect");
    if (expect != null && expect.equalsIgnoreCase("100-continue") && request.version() == HttpVersion.HTTP_1_1) {
      request.response().writeContinue();
    }
  }
}
