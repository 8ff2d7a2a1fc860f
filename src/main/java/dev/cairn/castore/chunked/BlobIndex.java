package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Which chunks make up which blob, in the metadata database (tables {@code blobs} and
 * {@code blob_chunks}, V006), so replicas sharing a database and a bucket see the same blobs.
 * A blob is visible once its rows are committed, which happens after all its chunks are stored.
 */
public final class BlobIndex {
  /** Shared by every PostgreSQL transaction that commits a blob; garbage collection takes it exclusively. */
  public static final long PG_GC_LOCK_KEY = 0x636169726e6763L; // "cairngc"

  private final Database db;

  BlobIndex(Database db) {
    this.db = db;
  }

  /**
   * The stat of a blob, or of a chunk asked for by its own digest (WIRE.md §3: Read serves the
   * chunk digests Stat advertised).
   */
  Future<Optional<BlobStat>> stat(B3Digest digest) {
    return db.queryOne("SELECT size, chunk_count FROM blobs WHERE digest = ?", (Object) digest.bytes())
        .compose(blob -> {
          if (blob.isEmpty()) {
            return db.queryOne("SELECT chunk_size FROM blob_chunks WHERE chunk_digest = ? LIMIT 1", (Object) digest.bytes())
                .map(chunk -> chunk.map(r -> BlobStat.singleChunk(r.getLong("chunk_size"))));
          }
          long size = blob.get().getLong("size");
          if (blob.get().getLong("chunk_count") <= 1) {
            return Future.succeededFuture(Optional.of(BlobStat.singleChunk(size)));
          }
          return db.query("SELECT chunk_digest, chunk_size FROM blob_chunks WHERE blob_digest = ? ORDER BY idx", (Object) digest.bytes())
              .map(rows -> Optional.of(new BlobStat(size, chunks(rows))));
        });
  }

  private static List<ChunkMeta> chunks(List<Row> rows) {
    List<ChunkMeta> chunks = new ArrayList<>(rows.size());
    for (Row r : rows) {
      chunks.add(new ChunkMeta(B3Digest.of(r.bytes("chunk_digest")), r.getLong("chunk_size")));
    }
    return chunks;
  }

  /**
   * Makes a blob visible. Refused with {@link ChunkCollectedException} when garbage collection
   * deleted (or is deleting) one of its chunks since the upload began; the caller uploads again.
   * Every chunk is checked, not only the ones the upload found stored ("reused"): a chunk this
   * upload stored itself is unreferenced until this commit, so a collection with a grace period
   * shorter than the upload (e.g. {@code cairn gc --grace 0s}) may delete it too. Garbage
   * collection records the time a delete finished in the tombstone, so a chunk deleted after
   * the upload's start is caught however the upload saw it. Committing an existing blob
   * refreshes its creation time, which protects it from collection for another grace period
   * (its uploader is about to reference it).
   */
  Future<Void> commit(B3Digest blob, long size, List<ChunkMeta> chunks, long uploadStartMillis) {
    long now = System.currentTimeMillis();
    List<Object[]> rows = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      ChunkMeta c = chunks.get(i);
      rows.add(new Object[] {blob.bytes(), i, c.digest().bytes(), c.size()});
    }
    return db.transaction(tx -> gcLockShared(tx)
        .compose(v -> collectedSince(tx, chunks.stream().map(ChunkMeta::digest).distinct().toList(), uploadStartMillis))
        .compose(collected -> {
          if (collected.isPresent()) {
            return Future.failedFuture(new ChunkCollectedException(collected.get()));
          }
          return tx.update("INSERT INTO blobs (digest, size, chunk_count, created_at) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (digest) DO UPDATE SET created_at = excluded.created_at",
              blob.bytes(), size, chunks.size(), now);
        })
        .compose(n -> tx.batch("INSERT INTO blob_chunks (blob_digest, idx, chunk_digest, chunk_size) VALUES (?, ?, ?, ?)"
            + " ON CONFLICT (blob_digest, idx) DO NOTHING", rows)));
  }

  private Future<Void> gcLockShared(Sql tx) {
    // SQLite serialises writers already; on PostgreSQL, a blob commit and garbage collection's
    // "mark, then check nothing references it" step must not interleave.
    return db.dialect() == Dialect.POSTGRESQL
        ? tx.query("SELECT pg_advisory_xact_lock_shared(" + PG_GC_LOCK_KEY + ")").mapEmpty()
        : Future.succeededFuture();
  }

  private static Future<Optional<B3Digest>> collectedSince(Sql tx, Collection<B3Digest> chunks, long since) {
    if (chunks.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    List<B3Digest> all = List.copyOf(chunks);
    Future<Optional<B3Digest>> result = Future.succeededFuture(Optional.empty());
    for (int from = 0; from < all.size(); from += 500) {
      List<B3Digest> part = all.subList(from, Math.min(all.size(), from + 500));
      result = result.compose(found -> found.isPresent() ? Future.succeededFuture(found) : tombstoned(tx, part, since));
    }
    return result;
  }

  private static Future<Optional<B3Digest>> tombstoned(Sql tx, List<B3Digest> part, long since) {
    StringBuilder sql = new StringBuilder("SELECT chunk_digest FROM gc_tombstones WHERE (deleted = 0 OR deleting_at >= ?) AND chunk_digest IN (");
    Object[] params = new Object[part.size() + 1];
    params[0] = since;
    for (int i = 0; i < part.size(); i++) {
      sql.append(i == 0 ? "?" : ", ?");
      params[i + 1] = part.get(i).bytes();
    }
    sql.append(") LIMIT 1");
    return tx.queryOne(sql.toString(), params).map(r -> r.map(row -> B3Digest.of(row.bytes("chunk_digest"))));
  }
}
