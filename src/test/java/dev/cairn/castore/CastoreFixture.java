package dev.cairn.castore;

import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.store.Store;
import dev.cairn.store.StoreConfig;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;

/** A {@link Store} built as the server builds it, over a fresh database of one dialect. */
public final class CastoreFixture implements AutoCloseable {
  public final Vertx vertx;
  public final WorkerExecutor workers;
  public final TestDatabase database;
  public final Store store;
  public final ChunkStore chunks;
  public final BlobService blobs;
  public final DirectoryService directories;
  public final NarIngester ingester;
  public final NarRenderer renderer;

  private CastoreFixture(Vertx vertx, WorkerExecutor workers, TestDatabase database, Store store) {
    this.vertx = vertx;
    this.workers = workers;
    this.database = database;
    this.store = store;
    this.chunks = store.chunkStore();
    this.blobs = store.blobs();
    this.directories = store.directories();
    this.ingester = store.ingester();
    this.renderer = store.renderer();
  }

  /** Files under a fresh temporary directory. */
  public static CastoreFixture create(Dialect dialect) throws Exception {
    return create(dialect, new ChunkStoreLocation.Files(Files.createTempDirectory("cairn-blobs-")), 0);
  }

  public static CastoreFixture create(Dialect dialect, ChunkStoreLocation location, int zstdLevel) throws Exception {
    return create(dialect, location, zstdLevel, StoreConfig.Reads.ALWAYS);
  }

  public static CastoreFixture create(Dialect dialect, ChunkStoreLocation location, int zstdLevel, StoreConfig.Reads reads) throws Exception {
    Vertx vertx = Vertx.vertx();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-blobs", 4);
    TestDatabase database = TestDatabase.create(vertx, dialect);
    StoreConfig config = new StoreConfig(location, 4, 4, zstdLevel, 4, DirectorySizeFormula.DEFAULT, dev.cairn.store.upstream.UpstreamConfig.none(),
        reads);
    Store store = TestDatabase.await(Store.open(vertx, database.db(), config, workers));
    return new CastoreFixture(vertx, workers, database, store);
  }

  @Override
  public void close() throws Exception {
    TestDatabase.await(store.close());
    database.close();
    TestDatabase.await(workers.close());
    TestDatabase.await(vertx.close());
  }
}
