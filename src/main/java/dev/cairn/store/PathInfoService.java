package dev.cairn.store;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * PathInfos keyed by the digest of their store path: the contract every backend honours (SQL,
 * an upstream Nix cache, a near/far composition). {@code PathInfoServiceContract} in the tests
 * states it as executable rules.
 *
 * <ul>
 *   <li>A stored PathInfo is immutable. {@link #put} of the same content is idempotent; a put
 *       whose content differs ({@link PathInfo#differencesFrom}) fails with
 *       {@link PathInfoConflictException} and changes nothing. The one thing a repeated put may
 *       add is signatures under key names the stored path does not carry yet: they are
 *       merged, and the answer is the stored path with all its signatures.
 *   <li>{@link #list} pages in digest order; {@link #delete} removes a path (garbage collection,
 *       operators), after which it may be put again with any content.
 * </ul>
 *
 * How a backend stores or resolves anything else (references by content, back-filling) is its
 * own business. A backend that cannot be written (an upstream cache) fails puts and deletes.
 */
public interface PathInfoService {
  Future<Optional<PathInfo>> get(StorePathDigest digest);

  /** Stores a path, or merges new signatures into the identical stored one; answers what is stored now. */
  Future<PathInfo> put(PathInfo info);

  /** A page in digest order after {@code after} (exclusive; empty = from the start). */
  Future<List<PathInfo>> list(Optional<StorePathDigest> after, int limit);

  /** Whether the path was there. */
  Future<Boolean> delete(StorePathDigest digest);
}
