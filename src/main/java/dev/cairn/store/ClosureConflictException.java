package dev.cairn.store;

import io.vertx.core.json.JsonObject;

/**
 * A path refused because its closure holds a reference whose content is disputed (a Frankenbuild
 * candidate, {@code cache.frankenbuild: reject}). {@link #evidence} is the closure check's JSON
 * naming each conflicting edge; HTTP answers 409 with it, gRPC FAILED_PRECONDITION with the
 * message.
 */
public final class ClosureConflictException extends RuntimeException {
  private final transient JsonObject evidence;

  public ClosureConflictException(String message, JsonObject evidence) {
    super(message, null, false, false);
    this.evidence = evidence;
  }

  public JsonObject evidence() {
    return evidence;
  }
}
