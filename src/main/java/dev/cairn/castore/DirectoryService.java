package dev.cairn.castore;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Directories of the castore Merkle tree, keyed by the BLAKE3 of their canonical encoding. */
public interface DirectoryService {
  /**
   * Stores a closure sent leaves-to-root: each directory may reference only directories sent
   * before it or already stored; the last one is the root and every other one must be reachable
   * from it. Duplicates are tolerated. All or nothing: a {@link ValidationException} stores nothing.
   */
  Future<B3Digest> put(List<Directory> leavesToRoot);

  Future<Optional<Directory>> get(B3Digest digest);

  /** The root and everything below it, breadth-first, each digest once; empty if the root is unknown. */
  Future<List<Directory>> getRecursive(B3Digest root);
}
