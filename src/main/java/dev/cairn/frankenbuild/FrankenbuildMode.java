package dev.cairn.frankenbuild;

/**
 * {@code cache.frankenbuild}: what happens to a new path (a narinfo upload, a gRPC PathInfo
 * Put) whose closure holds a disputed reference. {@code WARN} stores it, logs the edge and
 * counts it; {@code REJECT} refuses it with the evidence.
 */
public enum FrankenbuildMode {
  WARN,
  REJECT
}
