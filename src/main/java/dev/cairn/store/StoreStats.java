package dev.cairn.store;

import dev.cairn.db.Database;
import io.vertx.core.Future;

/**
 * What the store holds, for people: how many store paths, the bytes their NARs add up to (what a
 * plain file cache would store), and the bytes of distinct chunks in the blob index (what this
 * store keeps after deduplication, before the chunk store's own compression). Two queries that
 * scan their tables: callers cache the answer.
 */
public record StoreStats(long paths, long narBytes, long storedBytes) {
  public static Future<StoreStats> read(Database db) {
    return db.query("SELECT COUNT(*) AS n, CAST(COALESCE(SUM(nar_size), 0) AS BIGINT) AS nar FROM path_infos").compose(paths ->
        db.query("SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) AS stored"
                + " FROM (SELECT MAX(chunk_size) AS size FROM blob_chunks GROUP BY chunk_digest) c")
            .map(stored -> new StoreStats(paths.get(0).getLong("n"), paths.get(0).getLong("nar"), stored.get(0).getLong("stored"))));
  }

  /** Bytes stored per NAR byte (below 1: deduplication saves space); 0 for an empty store. */
  public double dedupRatio() {
    return narBytes == 0 ? 0 : (double) storedBytes / narBytes;
  }
}
