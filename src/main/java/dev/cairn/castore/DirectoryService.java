package dev.cairn.castore;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** Directories of the castore Merkle tree, keyed by the BLAKE3 of their canonical encoding. */
public interface DirectoryService {
  /** Stores a validated closure, all or nothing; answers the root's digest. */
  Future<B3Digest> put(DirectoryClosure closure);

  Future<Optional<Directory>> get(B3Digest digest);

  /** The root and everything below it, breadth-first, each digest once; empty if the root is unknown. */
  Future<List<Directory>> getRecursive(B3Digest root);
}
