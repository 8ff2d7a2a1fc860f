package dev.cairn.store.gc;

import dev.cairn.db.Database;
import io.vertx.core.Future;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The right to delete, held by one collection at a time across every process sharing the
 * database (table {@code gc_lease}, one row). Two collections deleting at once could each
 * finish the other's deletes and record a chunk as deleted while the other is still deleting
 * it, after an upload stored it anew — so the second one waits for its turn instead. The holder
 * renews the lease as it goes and checks it before every deleting step; a holder that crashed
 * or stalled longer than {@link #TTL} loses it to the next collection.
 */
final class GcLease {
  static final Duration TTL = Duration.ofMinutes(10);

  private final Database db;
  private final String holder;
  private long renewedAt;

  private GcLease(Database db, String holder) {
    this.db = db;
    this.holder = holder;
  }

  /** Takes the lease, or fails with {@link GcBusyException} naming who holds it. */
  static Future<GcLease> acquire(Database db) {
    GcLease lease = new GcLease(db, ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID());
    long now = System.currentTimeMillis();
    return db.update("INSERT INTO gc_lease (id, holder, expires_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE"
            + " SET holder = excluded.holder, expires_at = excluded.expires_at WHERE gc_lease.expires_at < ?",
            lease.holder, now + TTL.toMillis(), now)
        .compose(n -> db.queryOne("SELECT holder, expires_at FROM gc_lease WHERE id = 1"))
        .compose(row -> {
          if (row.isPresent() && row.get().string("holder").equals(lease.holder)) {
            lease.renewedAt = now;
            return Future.succeededFuture(lease);
          }
          return Future.failedFuture(row.isPresent()
              ? new GcBusyException(row.get().string("holder"), Instant.ofEpochMilli(row.get().getLong("expires_at")))
              : new GcBusyException("another collection", Instant.ofEpochMilli(now)));
        });
  }

  /** Succeeds while the lease is still this collection's, extending it now and then; fails with {@link GcStoppedException} otherwise. */
  Future<Void> check() {
    long now = System.currentTimeMillis();
    if (now - renewedAt < TTL.toMillis() / 4) {
      return Future.succeededFuture();
    }
    return db.update("UPDATE gc_lease SET expires_at = ? WHERE id = 1 AND holder = ? AND expires_at >= ?", now + TTL.toMillis(), holder, now)
        .compose(n -> {
          if (n == 0) {
            return Future.failedFuture(new GcStoppedException("its lease expired (stalled for more than " + TTL + ")"));
          }
          renewedAt = now;
          return Future.succeededFuture();
        });
  }

  Future<Void> release() {
    return db.update("DELETE FROM gc_lease WHERE id = 1 AND holder = ?", holder).mapEmpty();
  }
}
