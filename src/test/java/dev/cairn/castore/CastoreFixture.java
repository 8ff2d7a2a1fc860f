package dev.cairn.castore;

import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Files;
import java.nio.file.Path;

/** A blob store, directory store and NAR renderer over a fresh database of one dialect. */
public final class CastoreFixture implements AutoCloseable {
  public final Vertx vertx;
  public final WorkerExecutor workers;
  public final TestDatabase database;
  public final FsBlobService blobs;
  public final SqlDirectoryService directories;
  public final NarIngester ingester;
  public final NarRenderer renderer;

  private CastoreFixture(Vertx vertx, WorkerExecutor workers, TestDatabase database, FsBlobService blobs) {
    this.vertx = vertx;
    this.workers = workers;
    this.database = database;
    this.blobs = blobs;
    this.directories = new SqlDirectoryService(database.db());
    this.ingester = new NarIngester(blobs, directories, DirectorySizeFormula.DEFAULT);
    this.renderer = new NarRenderer(blobs, directories, database.db());
  }

  public static CastoreFixture create(Dialect dialect) throws Exception {
    Vertx vertx = Vertx.vertx();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-blobs", 4);
    TestDatabase database = TestDatabase.create(vertx, dialect);
    Path root = Files.createTempDirectory("cairn-blobs-");
    FsBlobService blobs = TestDatabase.await(FsBlobService.create(vertx, workers, root, FsBlobService.Options.DEFAULT));
    return new CastoreFixture(vertx, workers, database, blobs);
  }

  @Override
  public void close() throws Exception {
    database.close();
    TestDatabase.await(workers.close());
    TestDatabase.await(vertx.close());
  }
}
