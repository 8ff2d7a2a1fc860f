package dev.cairn.store;

import dev.cairn.castore.BlobService;
import dev.cairn.castore.DirectoryService;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.NarRenderer;
import dev.cairn.castore.SqlDirectoryService;
import dev.cairn.castore.chunked.ChunkScrub;
import dev.cairn.castore.chunked.ChunkedBlobService;
import dev.cairn.castore.chunks.ChunkStore;
import dev.cairn.db.Database;
import dev.cairn.server.config.ConfigException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import dev.cairn.store.upstream.UpstreamPathInfoService;
import java.util.Optional;

/**
 * The one content-addressed store every capability views (ARCHITECTURE.md, "One Store, many
 * views"): blobs over the configured chunk store, directories and PathInfos in the metadata
 * database, NAR ingest, rendering and calculation. Built once at start, handed to capabilities through
 * {@code ServerContext}, closed at shutdown with the pools it created.
 *
 * <p>Pools: {@code cpu} (hashing, chunk encoding, verification) is the server's bounded blocking
 * pool; the store creates {@code cairn-chunk-io} (local chunk file I/O) and {@code cairn-nar}
 * (NAR ingest and rendering, which block while they wait for blob I/O, so they must never share
 * a pool with the I/O they wait for).
 */
public final class Store {
  private final ChunkStore chunkStore;
  private final BlobService blobs;
  private final DirectoryService directories;
  private final SqlPathInfoService pathInfos;
  private final PathInfoService readThrough;
  private final Optional<UpstreamPathInfoService> upstreams;
  private final NarIngester ingester;
  private final NarRenderer renderer;
  private final NarCalculationService narCalculation;
  private final PathInfoConflicts conflicts;
  private final PathInfoUploads uploads;
  private final PathNames names;
  private final PathPopularity popularity;
  private final WorkerExecutor chunkIo;
  private final WorkerExecutor narPool;
  private final Vertx vertx;
  /** The periodic chunk scrub ({@code castore.scrub_interval}), when configured. */
  private final Optional<Long> scrubTimer;

  private Store(Vertx vertx, Database db, StoreConfig config, WorkerExecutor cpu, ChunkStore chunkStore, WorkerExecutor chunkIo,
                WorkerExecutor narPool) {
    this.chunkStore = chunkStore;
    this.chunkIo = chunkIo;
    this.narPool = narPool;
    ChunkedBlobService.Options options = new ChunkedBlobService.Options(
        dev.cairn.castore.FastCdc.Params.DEFAULT, config.zstdLevel(), config.chunkPutsPerUpload());
    ChunkedBlobService chunked = new ChunkedBlobService(cpu, chunkStore, db, options, config.reads().verify());
    this.blobs = chunked;
    this.scrubTimer = config.reads().scrubInterval().map(every -> {
      ChunkScrub scrub = chunked.scrub();
      return vertx.setPeriodic(every.toMillis(), every.toMillis(), id -> scrub.run()
          .onFailure(e -> java.util.logging.Logger.getLogger("cairn.castore").warning("chunk scrub failed: " + e.getMessage())));
    });
    this.vertx = vertx;
    SqlDirectoryService dirs = new SqlDirectoryService(db);
    this.directories = dirs;
    this.pathInfos = new SqlPathInfoService(db, blobs, dirs);
    this.ingester = new NarIngester(blobs, dirs, config.directorySizeFormula());
    this.renderer = new NarRenderer(blobs, dirs);
    this.narCalculation = new NarCalculationService(db, renderer, narPool);
    this.conflicts = new PathInfoConflicts(db);
    this.uploads = new PathInfoUploads(pathInfos, narCalculation, conflicts, blobs, dirs);
    if (config.upstreams().enabled()) {
      UpstreamPathInfoService far = new UpstreamPathInfoService(vertx, config.upstreams(), ingester, narPool, pathInfos, conflicts);
      this.readThrough = new NearFarPathInfoService(pathInfos, far, uploads.gate());
      far.pullReferencesThrough(readThrough);
      this.upstreams = Optional.of(far);
    } else {
      this.readThrough = pathInfos;
      this.upstreams = Optional.empty();
    }
    this.names = new PathNames(db);
    this.popularity = new PathPopularity(db);
  }

  /**
   * Opens the configured chunk store (failing with one line naming {@code castore.blob_store}
   * when it is unusable), imports a blob index of the first file layout if one is there, and
   * builds the services.
   */
  public static Future<Store> open(Vertx vertx, Database db, StoreConfig config, WorkerExecutor cpu) {
    WorkerExecutor chunkIo = vertx.createSharedWorkerExecutor("cairn-chunk-io", config.chunkIoWorkers());
    WorkerExecutor narPool = vertx.createSharedWorkerExecutor("cairn-nar", config.narWorkers());
    return config.blobStore().open(vertx, chunkIo)
        .recover(e -> Future.failedFuture(e instanceof ConfigException ? e
            : new ConfigException("castore.blob_store", "cannot open " + config.blobStore() + ": " + e.getMessage())))
        .compose(chunks -> ChunkedBlobService.importFirstLayout(chunkIo, db, config.blobStore())
            .map(v -> new Store(vertx, db, config, cpu, chunks, chunkIo, narPool))
            .recover(e -> chunks.close().transform(x -> Future.failedFuture(e))))
        .recover(e -> chunkIo.close().eventually(narPool::close).transform(x -> Future.failedFuture(e)));
  }

  public ChunkStore chunkStore() {
    return chunkStore;
  }

  public BlobService blobs() {
    return blobs;
  }

  public DirectoryService directories() {
    return directories;
  }

  public PathInfoService pathInfos() {
    return pathInfos;
  }

  /**
   * Calls {@code listener} with the digest of each stored path that changed in this process
   * (signatures merged into it, or deleted), after the change is committed; on any thread, must
   * not block. For views that keep something derived from a PathInfo in memory.
   */
  public void onPathInfoChange(java.util.function.Consumer<StorePathDigest> listener) {
    pathInfos.onChange(listener);
  }

  /**
   * PathInfos as a reader of the binary cache sees them: this store's, else pulled through from
   * the configured upstream caches ({@code cache.upstreams}) and kept here
   * ({@link NearFarPathInfoService}) once they pass the upload gate (the Frankenbuild check);
   * {@link #pathInfos()} itself when none are configured. Only
   * demand for content goes through it (a substituter's narinfo or NAR request): uploads, existence
   * checks of writers and everything else use {@link #pathInfos()}, which never leaves this store.
   */
  public PathInfoService readThrough() {
    return readThrough;
  }

  /** Whether upstream caches are configured (so {@link #readThrough()} may fetch). */
  public boolean hasUpstreams() {
    return upstreams.isPresent();
  }

  public NarIngester ingester() {
    return ingester;
  }

  public NarRenderer renderer() {
    return renderer;
  }

  public NarCalculationService narCalculation() {
    return narCalculation;
  }

  /**
   * Frankenbuild evidence, the one store of it: refused puts of different content for stored
   * paths, and upstreams' signed claims of other content (recorded by the pull-through).
   */
  public PathInfoConflicts conflicts() {
    return conflicts;
  }

  /** Where PathInfos from outside enter the store (immutability, NAR check, evidence). */
  public PathInfoUploads uploads() {
    return uploads;
  }

  /** Stored paths found by (package) name. */
  public PathNames names() {
    return names;
  }

  /** Reverse reference counts of stored paths. */
  public PathPopularity popularity() {
    return popularity;
  }

  /** The pool NAR ingest and rendering run on (they block while waiting for blob I/O). */
  public WorkerExecutor narPool() {
    return narPool;
  }

  public Future<Void> close() {
    scrubTimer.ifPresent(vertx::cancelTimer);
    Future<Void> upstreamClient = upstreams.map(UpstreamPathInfoService::close).orElse(Future.succeededFuture());
    return upstreamClient.eventually(chunkStore::close).eventually(chunkIo::close).eventually(narPool::close);
  }
}
