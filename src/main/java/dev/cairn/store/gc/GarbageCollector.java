package dev.cairn.store.gc;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.db.Database;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import dev.cairn.store.Store;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Mark and sweep over the one {@link Store}: everything reachable from a PathInfo or a pin is
 * kept (see {@link Marker}); of the rest, whatever is older than the grace period is deleted —
 * directories, blobs with their chunk lists, the NAR calculations cached for them, then the
 * chunks no blob references any more (see {@link ChunkSweep} for how that avoids racing
 * uploads on this or another replica).
 *
 * <p>Every sweep pages through its table in key order, {@link InList#MAX} rows a page, each
 * page deleted in its own short transaction, so writers are never held up for long (SQLite has
 * one writer at a time). Deletes re-check the creation time in the statement itself: an object
 * re-put while the collection runs is refreshed and therefore kept. One collection deletes at
 * a time across replicas ({@link GcLease}).
 */
public final class GarbageCollector {
  private static final Logger LOG = Logger.getLogger("cairn.gc");

  private final Database db;
  private final ChunkStore chunks;
  private final List<MetadataSweep> metadata;
  private volatile boolean stopping;

  public GarbageCollector(Database db, ChunkStore chunks, List<MetadataSweep> metadata) {
    this.db = db;
    this.chunks = chunks;
    this.metadata = List.copyOf(metadata);
  }

  public static GarbageCollector of(Database db, Store store, List<MetadataSweep> metadata) {
    return new GarbageCollector(db, store.chunkStore(), metadata);
  }

  /** Makes a running collection stop at its next step with {@link GcStoppedException} (at shutdown). */
  public void stop() {
    stopping = true;
  }

  /**
   * One collection. A run that deletes first takes the {@link GcLease} (failing with
   * {@link GcBusyException} while another collection holds it); a dry run needs none.
   */
  public Future<GcReport> run(GcOptions options) {
    if (options.dryRun()) {
      return collect(options, this::checkStopping);
    }
    return GcLease.acquire(db).compose(lease -> collect(options, () -> checkStopping().compose(v -> lease.check()))
        .transform(ar -> lease.release().transform(x -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()))));
  }

  private Future<GcReport> collect(GcOptions options, Checkpoint checkpoint) {
    long started = System.currentTimeMillis();
    long cutoff = started - options.grace().toMillis();
    Freed freed = new Freed();
    ChunkSweep chunkSweep = new ChunkSweep(db, chunks, checkpoint);
    Future<Void> leftovers = options.dryRun() ? Future.succeededFuture() : chunkSweep.finishLeftovers(freed);
    return leftovers
        .compose(v -> new Marker(db, checkpoint).mark())
        .compose(marks -> sweepDirectories(new byte[0], marks, cutoff, options.dryRun(), freed, checkpoint)
            .compose(v -> sweepBlobs(new byte[0], marks, cutoff, options.dryRun(), freed, checkpoint))
            .compose(v -> chunkSweep.sweep(marks, cutoff, options.dryRun(), freed))
            .compose(v -> options.dryRun() ? Future.succeededFuture()
                : chunkSweep.pruneTombstones(Math.min(cutoff, started - ChunkSweep.TOMBSTONE_RETENTION.toMillis()), freed))
            .compose(v -> sweepMetadata(0, cutoff, options.dryRun(), freed, checkpoint))
            .map(v -> new GcReport(options.dryRun(), started, System.currentTimeMillis() - started, options.grace(),
                marks.directories().size(), marks.blobs().size(), freed.directories, freed.blobs, freed.narCalculations,
                freed.chunks, freed.chunkBytes, freed.tombstonesPruned, freed.metadata)))
        .onSuccess(report -> LOG.info(report.summary().replace('\n', ';')));
  }

  private Future<Void> sweepMetadata(int i, long cutoff, boolean dryRun, Freed freed, Checkpoint checkpoint) {
    if (i == metadata.size()) {
      return Future.succeededFuture();
    }
    return checkpoint.check().compose(v -> metadata.get(i).sweep(cutoff, dryRun)).compose(n -> {
      freed.metadata += n;
      return sweepMetadata(i + 1, cutoff, dryRun, freed, checkpoint);
    });
  }

  private Future<Void> sweepDirectories(byte[] after, Marks marks, long cutoff, boolean dryRun, Freed freed, Checkpoint checkpoint) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT digest FROM directories WHERE digest > ? AND created_at < ? ORDER BY digest LIMIT ?",
            after, cutoff, InList.MAX))
        .compose(rows -> {
          List<B3Digest> garbage = unmarked(rows, marks.directories());
          Future<Void> done;
          if (garbage.isEmpty()) {
            done = Future.succeededFuture();
          } else if (dryRun) {
            freed.directories += garbage.size();
            done = Future.succeededFuture();
          } else {
            done = db.transaction(tx -> deleteOld(tx, "directories", garbage, cutoff)
                .compose(gone -> {
                  freed.directories += gone.size();
                  return deleteNarCalculations(tx, gone, "d");
                })).map(n -> {
                  freed.narCalculations += n;
                  return null;
                });
          }
          return done.compose(v -> rows.size() < InList.MAX ? Future.succeededFuture()
              : sweepDirectories(rows.get(rows.size() - 1).bytes("digest"), marks, cutoff, dryRun, freed, checkpoint));
        });
  }

  private Future<Void> sweepBlobs(byte[] after, Marks marks, long cutoff, boolean dryRun, Freed freed, Checkpoint checkpoint) {
    return checkpoint.check()
        .compose(v -> db.query("SELECT digest FROM blobs WHERE digest > ? AND created_at < ? ORDER BY digest LIMIT ?",
            after, cutoff, InList.MAX))
        .compose(rows -> {
          List<B3Digest> garbage = unmarked(rows, marks.blobs());
          Future<Void> done;
          if (garbage.isEmpty()) {
            done = Future.succeededFuture();
          } else if (dryRun) {
            freed.blobs += garbage.size();
            done = Future.succeededFuture();
          } else {
            // A blob's rows go together: blob_chunks only ever lists chunks of a blob in blobs.
            done = db.transaction(tx -> deleteOld(tx, "blobs", garbage, cutoff)
                .compose(gone -> {
                  freed.blobs += gone.size();
                  if (gone.isEmpty()) {
                    return Future.succeededFuture(0L);
                  }
                  return tx.update("DELETE FROM blob_chunks WHERE blob_digest IN " + InList.of(gone.size()), InList.params(gone))
                      .compose(n -> deleteNarCalculations(tx, gone, "f", "x"));
                })).map(n -> {
                  freed.narCalculations += n;
                  return null;
                });
          }
          return done.compose(v -> rows.size() < InList.MAX ? Future.succeededFuture()
              : sweepBlobs(rows.get(rows.size() - 1).bytes("digest"), marks, cutoff, dryRun, freed, checkpoint));
        });
  }

  private static List<B3Digest> unmarked(List<Row> rows, DigestSet marked) {
    List<B3Digest> out = new ArrayList<>();
    for (Row r : rows) {
      B3Digest d = B3Digest.of(r.bytes("digest"));
      if (!marked.contains(d)) {
        out.add(d);
      }
    }
    return out;
  }

  /** Deletes those of {@code digests} still older than {@code cutoff} (a re-put refreshed the others); returns them. */
  private static Future<List<B3Digest>> deleteOld(Sql tx, String table, List<B3Digest> digests, long cutoff) {
    return tx.query("DELETE FROM " + table + " WHERE created_at < ? AND digest IN " + InList.of(digests.size()) + " RETURNING digest",
            InList.params(digests, cutoff))
        .map(rows -> rows.stream().map(r -> B3Digest.of(r.bytes("digest"))).toList());
  }

  /** NAR calculations are keyed by a kind byte and the node's digest (see NarRenderer). */
  private static Future<Long> deleteNarCalculations(Sql tx, List<B3Digest> gone, String... kinds) {
    if (gone.isEmpty()) {
      return Future.succeededFuture(0L);
    }
    List<Object> keys = new ArrayList<>();
    for (B3Digest d : gone) {
      for (String kind : kinds) {
        byte[] key = new byte[1 + B3Digest.LENGTH];
        key[0] = (byte) kind.charAt(0);
        System.arraycopy(d.bytes(), 0, key, 1, B3Digest.LENGTH);
        keys.add(key);
      }
    }
    return tx.update("DELETE FROM nar_calculations WHERE node_key IN " + InList.of(keys.size()), keys.toArray());
  }

  private Future<Void> checkStopping() {
    return stopping ? Future.failedFuture(new GcStoppedException()) : Future.succeededFuture();
  }
}
