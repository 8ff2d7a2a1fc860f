package dev.cairn.store.gc;

import static dev.cairn.db.TestDatabase.await;

import dev.cairn.castore.NarIngester;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import dev.cairn.store.Store;
import dev.cairn.store.StorePathDigest;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/** Store paths for collection tests: ingested from a tree, stored as PathInfos, deleted. */
public final class TestPaths {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestPaths() {}

  /** A store path with a random hash part. */
  public static StorePath storePath(String name) {
    StringBuilder hash = new StringBuilder();
    for (int i = 0; i < StorePath.HASH_CHARS; i++) {
      hash.append("0123456789abcdfghijklmnpqrsvwxyz".charAt(RANDOM.nextInt(32)));
    }
    return StorePath.parseBaseName(hash + "-" + name);
  }

  /** Ingests {@code tree} (blobs, then directories) and stores it as the PathInfo of a new store path. */
  public static PathInfo add(Store store, String name, Path tree, List<StorePath> references) throws Exception {
    StorePath path = storePath(name);
    NarIngester.Result r = store.ingester().ingest(tree);
    Node node = r.root().withName(PathComponent.of(path.baseNameBytes()));
    return await(store.pathInfos().put(PathInfo.withUnresolvedReferences(path, node, r.narSize(), r.narSha256(), List.of(),
        Optional.empty(), Optional.empty(), references)));
  }

  public static boolean delete(Store store, PathInfo info) throws Exception {
    return await(store.pathInfos().delete(StorePathDigest.of(info.storePath())));
  }

  /** Caches the path's NAR size and hash, as CalculateNAR does. */
  public static void calculateNar(Store store, PathInfo info) throws Exception {
    await(store.narCalculation().calculate(info.node()));
  }
}
