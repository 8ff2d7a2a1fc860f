package dev.cairn.store.gc;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.chunked.BlobIndex;
import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Deletes chunks no blob references, without racing uploads (the other half is
 * {@code BlobIndex.commit}). An upload stores its chunks, then commits its blob rows in a
 * transaction that (on PostgreSQL) holds the GC advisory lock shared and refuses to commit if
 * any of its chunks has a tombstone still being deleted or deleted since the upload began.
 * Here, per page of candidates:
 * <ol>
 *   <li>one transaction holding that lock exclusively writes tombstones ({@code deleted = 0})
 *       and, in the same transaction, drops the tombstones of candidates a blob references by
 *       now. After it commits, no upload can commit a blob using a tombstoned chunk;
 *   <li>the chunks are deleted from the chunk store;
 *   <li>their tombstones become {@code deleted = 1} with {@code deleting_at} = the time the
 *       deletes finished, so an upload that began before then (and may have seen the chunk as
 *       present) still refuses to commit.
 * </ol>
 * A crash between 1 and 3 leaves {@code deleted = 0} tombstones (uploads of those chunks are
 * refused meanwhile); the next collection finishes them first. Finished tombstones are kept
 * for {@link #TOMBSTONE_RETENTION} (or the grace period, if longer) whatever the grace period:
 * an upload that began before a delete must still find its tombstone when it commits, and with
 * a grace period of zero the next collection may start a moment later.
 */
final class ChunkSweep {
  /** How long a finished tombstone still refuses uploads that began before its delete. */
  static final java.time.Duration TOMBSTONE_RETENTION = java.time.Duration.ofDays(1);

  /** Chunk deletes in flight at once (each is a file unlink or one S3 DELETE). */
  private static final int DELETES_IN_FLIGHT = 16;

  private final Database db;
  private final ChunkStore chunks;
  private final Checkpoint checkpoint;

  ChunkSweep(Database db, ChunkStore chunks, Checkpoint checkpoint) {
    this.db = db;
    this.chunks = chunks;
    this.checkpoint = checkpoint;
  }

  /** Completes the deletes a crashed collection tombstoned but did not finish. */
  Future<Void> finishLeftovers(Freed freed) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT chunk_digest FROM gc_tombstones WHERE deleted = 0 ORDER BY chunk_digest LIMIT ?", InList.MAX))
        .compose(rows -> {
          List<ChunkStore.Listed> page = new ArrayList<>();
          for (Row r : rows) {
            page.add(new ChunkStore.Listed(B3Digest.of(r.bytes("chunk_digest")), 0, 0));
          }
          // Each page ends with every listed tombstone finished or dropped, so the next query moves on.
          return collect(page, freed).compose(v -> rows.size() < InList.MAX ? Future.succeededFuture() : finishLeftovers(freed));
        });
  }

  /** Deletes (or, in a dry run, counts) the unreferenced chunks last written before {@code cutoff}. */
  Future<Void> sweep(Marks marks, long cutoff, boolean dryRun, Freed freed) {
    return page(Optional.empty(), marks, cutoff, dryRun, freed);
  }

  private Future<Void> page(Optional<B3Digest> after, Marks marks, long cutoff, boolean dryRun, Freed freed) {
    return checkpoint.check()
        .compose(v -> chunks.list(after, InList.MAX))
        .compose(listed -> {
          List<ChunkStore.Listed> old = listed.stream().filter(c -> c.modifiedMillis() < cutoff).toList();
          Future<Void> done = old.isEmpty() ? Future.succeededFuture()
              : dryRun ? wouldBeUnreferenced(old, marks, cutoff).map(garbage -> {
                  count(garbage, freed);
                  return null;
                })
              : referenced(db, digests(old)).compose(refs -> collect(old.stream().filter(c -> !refs.contains(c.digest())).toList(), freed));
          return done.compose(v -> listed.size() < InList.MAX ? Future.succeededFuture()
              : page(Optional.of(listed.get(listed.size() - 1).digest()), marks, cutoff, dryRun, freed));
        });
  }

  /** Steps 1–3 above for one page of candidates. */
  private Future<Void> collect(List<ChunkStore.Listed> candidates, Freed freed) {
    if (candidates.isEmpty()) {
      return Future.succeededFuture();
    }
    List<B3Digest> digests = digests(candidates);
    return db.transaction(tx -> lockExclusive(tx)
            .compose(v -> {
              long now = System.currentTimeMillis();
              List<Object[]> rows = new ArrayList<>();
              for (B3Digest d : digests) {
                rows.add(new Object[] {d.bytes(), now});
              }
              return tx.batch("INSERT INTO gc_tombstones (chunk_digest, deleting_at, deleted) VALUES (?, ?, 0)"
                  + " ON CONFLICT (chunk_digest) DO UPDATE SET deleting_at = excluded.deleting_at, deleted = 0", rows);
            })
            .compose(v -> referenced(tx, digests))
            .compose(refs -> {
              List<B3Digest> inUse = digests.stream().filter(refs::contains).toList();
              return (inUse.isEmpty() ? Future.<Long>succeededFuture(0L)
                  : tx.update("DELETE FROM gc_tombstones WHERE chunk_digest IN " + InList.of(inUse.size()), InList.params(inUse)))
                  .map(n -> candidates.stream().filter(c -> !refs.contains(c.digest())).toList());
            }))
        .compose(confirmed -> checkpoint.check().compose(v -> deleteAll(confirmed, 0))
            .compose(v -> confirmed.isEmpty() ? Future.succeededFuture(0L)
                : db.update("UPDATE gc_tombstones SET deleted = 1, deleting_at = ? WHERE chunk_digest IN " + InList.of(confirmed.size()),
                    InList.params(digests(confirmed), System.currentTimeMillis())))
            .map(n -> {
              count(confirmed, freed);
              return null;
            }));
  }

  private Future<Void> deleteAll(List<ChunkStore.Listed> confirmed, int from) {
    if (from >= confirmed.size()) {
      return Future.succeededFuture();
    }
    List<Future<Void>> window = new ArrayList<>();
    for (ChunkStore.Listed c : confirmed.subList(from, Math.min(confirmed.size(), from + DELETES_IN_FLIGHT))) {
      window.add(chunks.delete(c.digest()));
    }
    return Future.all(window).compose(v -> deleteAll(confirmed, from + DELETES_IN_FLIGHT));
  }

  /** Prunes tombstones whose delete finished before {@code before}. */
  Future<Void> pruneTombstones(long before, Freed freed) {
    return db.update("DELETE FROM gc_tombstones WHERE deleted = 1 AND deleting_at < ?", before).map(n -> {
      freed.tombstonesPruned += n;
      return null;
    });
  }

  private Future<Void> lockExclusive(Sql tx) {
    // SQLite runs one write transaction at a time, blob commits included; PostgreSQL needs the lock.
    return db.dialect() == Dialect.POSTGRESQL
        ? tx.query("SELECT pg_advisory_xact_lock(" + BlobIndex.PG_GC_LOCK_KEY + ")").mapEmpty()
        : Future.succeededFuture();
  }

  /** Which of {@code digests} some blob references. */
  private static Future<Set<B3Digest>> referenced(Sql sql, List<B3Digest> digests) {
    return sql.query("SELECT DISTINCT chunk_digest FROM blob_chunks WHERE chunk_digest IN " + InList.of(digests.size()), InList.params(digests))
        .map(rows -> {
          Set<B3Digest> out = new HashSet<>();
          rows.forEach(r -> out.add(B3Digest.of(r.bytes("chunk_digest"))));
          return out;
        });
  }

  /**
   * The dry run's view: a dry run deleted no blob, so a chunk counts as garbage when every blob
   * referencing it is one the collection would delete (not marked, older than the cutoff).
   */
  private Future<List<ChunkStore.Listed>> wouldBeUnreferenced(List<ChunkStore.Listed> old, Marks marks, long cutoff) {
    List<B3Digest> digests = digests(old);
    return db.query("SELECT c.chunk_digest, c.blob_digest, b.created_at FROM blob_chunks c JOIN blobs b ON b.digest = c.blob_digest"
            + " WHERE c.chunk_digest IN " + InList.of(digests.size()), InList.params(digests))
        .map(rows -> {
          Set<B3Digest> kept = new HashSet<>();
          for (Row r : rows) {
            if (r.getLong("created_at") >= cutoff || marks.blobs().contains(B3Digest.of(r.bytes("blob_digest")))) {
              kept.add(B3Digest.of(r.bytes("chunk_digest")));
            }
          }
          return old.stream().filter(c -> !kept.contains(c.digest())).toList();
        });
  }

  private static void count(List<ChunkStore.Listed> gone, Freed freed) {
    freed.chunks += gone.size();
    for (ChunkStore.Listed c : gone) {
      freed.chunkBytes += c.storedSize();
    }
  }

  private static List<B3Digest> digests(List<ChunkStore.Listed> listed) {
    return listed.stream().map(ChunkStore.Listed::digest).toList();
  }
}
