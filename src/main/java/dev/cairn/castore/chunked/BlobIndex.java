package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobStat;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.db.Database;
import dev.cairn.db.Dialect;
import dev.cairn.db.Row;
import dev.cairn.db.Sql;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.ArrayList;
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

  /** One blob waiting for the next group commit. */
  private record Pending(B3Digest blob, long size, List<ChunkMeta> chunks, long uploadStartMillis, Promise<Void> done) {}

  /** Most blobs one transaction commits; the rest wait for the next. */
  private static final int MAX_GROUP = 256;

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean committing;

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
   *
   * <p>Group commit: blobs that finish while a transaction is running are committed together
   * by the next one (one transaction, one tombstone lookup and two batched inserts for up to
   * {@value #MAX_GROUP} blobs instead of one transaction each). The caller calls this only once
   * every chunk is durable in the chunk store, so a group holds only blobs whose bytes are
   * stored; a refused blob does not hold back the others of its group.
   */
  Future<Void> commit(B3Digest blob, long size, List<ChunkMeta> chunks, long uploadStartMillis) {
    Promise<Void> done = Promise.promise();
    boolean start;
    synchronized (queue) {
      queue.add(new Pending(blob, size, List.copyOf(chunks), uploadStartMillis, done));
      start = !committing;
      committing = true;
    }
    if (start) {
      commitNextGroup();
    }
    return done.future();
  }

  private void commitNextGroup() {
    List<Pending> group = new ArrayList<>();
    synchronized (queue) {
      while (!queue.isEmpty() && group.size() < MAX_GROUP) {
        group.add(queue.poll());
      }
      if (group.isEmpty()) {
        committing = false;
        return;
      }
    }
    commitGroup(group).onComplete(ar -> {
      for (int i = 0; i < group.size(); i++) {
        Promise<Void> done = group.get(i).done();
        if (ar.failed()) {
          done.tryFail(ar.cause());
        } else if (ar.result().get(i) != null) {
          done.tryFail(ar.result().get(i));
        } else {
          done.tryComplete();
        }
      }
      commitNextGroup();
    });
  }

  /** Commits the group's blobs that no collection touched; answers, per blob, why it was refused (null: committed). */
  private Future<List<ChunkCollectedException>> commitGroup(List<Pending> group) {
    long now = System.currentTimeMillis();
    Set<B3Digest> digests = new LinkedHashSet<>();
    for (Pending p : group) {
      for (ChunkMeta c : p.chunks()) {
        digests.add(c.digest());
      }
    }
    return db.transaction(tx -> gcLockShared(tx)
        .compose(v -> tombstones(tx, List.copyOf(digests)))
        .compose(tombstones -> {
          List<ChunkCollectedException> refused = new ArrayList<>(group.size());
          Map<B3Digest, Object[]> blobRows = new LinkedHashMap<>();
          Map<B3Digest, List<Object[]>> chunkRows = new LinkedHashMap<>();
          for (Pending p : group) {
            Optional<B3Digest> collected = collectedSince(tombstones, p.chunks(), p.uploadStartMillis());
            refused.add(collected.map(ChunkCollectedException::new).orElse(null));
            if (collected.isEmpty() && !blobRows.containsKey(p.blob())) {
              blobRows.put(p.blob(), new Object[] {p.blob().bytes(), p.size(), p.chunks().size(), now});
              List<Object[]> rows = new ArrayList<>(p.chunks().size());
              for (int i = 0; i < p.chunks().size(); i++) {
                ChunkMeta c = p.chunks().get(i);
                rows.add(new Object[] {p.blob().bytes(), i, c.digest().bytes(), c.size()});
              }
              chunkRows.put(p.blob(), rows);
            }
          }
          return tx.batch("INSERT INTO blobs (digest, size, chunk_count, created_at) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (digest) DO UPDATE SET created_at = excluded.created_at", List.copyOf(blobRows.values()))
              .compose(v -> tx.batch("INSERT INTO blob_chunks (blob_digest, idx, chunk_digest, chunk_size) VALUES (?, ?, ?, ?)"
                  + " ON CONFLICT (blob_digest, idx) DO NOTHING", chunkRows.values().stream().flatMap(List::stream).toList()))
              .map(refused);
        }));
  }

  private Future<Void> gcLockShared(Sql tx) {
    // SQLite serialises writers already; on PostgreSQL, a blob commit and garbage collection's
    // "mark, then check nothing references it" step must not interleave.
    return db.dialect() == Dialect.POSTGRESQL
        ? tx.query("SELECT pg_advisory_xact_lock_shared(" + PG_GC_LOCK_KEY + ")").mapEmpty()
        : Future.succeededFuture();
  }

  /** One tombstone: when garbage collection decided to delete the chunk, and whether it has. */
  private record Tombstone(long deletingAt, boolean deleted) {}

  /** The first chunk garbage collection is deleting, or deleted after {@code since}. */
  private static Optional<B3Digest> collectedSince(Map<B3Digest, Tombstone> tombstones, List<ChunkMeta> chunks, long since) {
    for (ChunkMeta c : chunks) {
      Tombstone t = tombstones.get(c.digest());
      if (t != null && (!t.deleted() || t.deletingAt() >= since)) {
        return Optional.of(c.digest());
      }
    }
    return Optional.empty();
  }

  /** The tombstones of {@code chunks}, looked up 500 at a time. */
  private static Future<Map<B3Digest, Tombstone>> tombstones(Sql tx, List<B3Digest> chunks) {
    Map<B3Digest, Tombstone> found = new HashMap<>();
    Future<Void> all = Future.succeededFuture();
    for (int from = 0; from < chunks.size(); from += 500) {
      List<B3Digest> part = chunks.subList(from, Math.min(chunks.size(), from + 500));
      all = all.compose(v -> {
        StringBuilder sql = new StringBuilder("SELECT chunk_digest, deleting_at, deleted FROM gc_tombstones WHERE chunk_digest IN (");
        Object[] params = new Object[part.size()];
        for (int i = 0; i < part.size(); i++) {
          sql.append(i == 0 ? "?" : ", ?");
          params[i] = part.get(i).bytes();
        }
        sql.append(")");
        return tx.query(sql.toString(), params).map(rows -> {
          for (Row row : rows) {
            found.put(B3Digest.of(row.bytes("chunk_digest")), new Tombstone(row.getLong("deleting_at"), row.getLong("deleted") != 0));
          }
          return null;
        });
      });
    }
    return all.map(found);
  }
}
