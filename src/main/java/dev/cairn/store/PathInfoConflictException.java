package dev.cairn.store;

import java.util.List;

/**
 * A put offered different content for a store path that already has a PathInfo. Stored
 * PathInfos are immutable (a builder must not be able to swap what others already fetched and
 * signed); the offer is refused and, where the writer is known, kept as evidence
 * ({@link PathInfoConflicts}). gRPC answers ALREADY_EXISTS.
 */
public final class PathInfoConflictException extends RuntimeException {
  private final PathInfo stored;
  private final PathInfo offered;
  private final List<String> differences;

  public PathInfoConflictException(PathInfo stored, PathInfo offered, List<String> differences) {
    super(stored.storePath().baseName() + " already has a PathInfo that differs in " + String.join(", ", differences)
        + "; a stored PathInfo is immutable");
    this.stored = stored;
    this.offered = offered;
    this.differences = List.copyOf(differences);
  }

  public PathInfo stored() {
    return stored;
  }

  public PathInfo offered() {
    return offered;
  }

  /** Wire names of the fields that differ, e.g. {@code node}, {@code narinfo.nar_sha256}. */
  public List<String> differences() {
    return differences;
  }
}
