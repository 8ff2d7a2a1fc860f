package dev.cairn.grpc;

import dev.cairn.castore.DirectorySizeFormula;
import dev.cairn.castore.FastCdc;
import dev.cairn.castore.FsBlobService;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.NarRenderer;
import dev.cairn.castore.SqlDirectoryService;
import dev.cairn.server.Capability;
import dev.cairn.server.ServerContext;
import dev.cairn.store.SqlPathInfoService;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.grpc.server.GrpcServer;

/**
 * The content-addressed store: blobs under data_dir/blobs, directories and PathInfo in the
 * metadata database, served over tvix/snix-compatible gRPC on the shared port.
 */
public final class CastoreCapability implements Capability {
  private final FsBlobService blobs;
  private final SqlDirectoryService directories;
  private final SqlPathInfoService pathInfos;
  private final NarRenderer renderer;
  private final NarIngester ingester;
  private final WorkerExecutor narPool;

  private CastoreCapability(ServerContext ctx, FsBlobService blobs, WorkerExecutor narPool) {
    this.blobs = blobs;
    this.directories = new SqlDirectoryService(ctx.db());
    this.pathInfos = new SqlPathInfoService(ctx.db(), blobs, directories);
    this.renderer = new NarRenderer(blobs, directories, ctx.db());
    this.ingester = new NarIngester(blobs, directories, ctx.config().choice("castore.directory_size_formula", DirectorySizeFormula.class));
    this.narPool = narPool;
  }

  public static Future<Capability> create(ServerContext ctx) {
    int zstd = ctx.config().integer("castore.chunk_compression_level", 0, 19);
    int narWorkers = ctx.config().integer("castore.nar_workers", 1, 256);
    ctx.config().choice("castore.directory_size_formula", DirectorySizeFormula.class);
    // NAR ingest/render block while they wait for blob I/O: they get a pool of their own, so
    // they can never starve the pool doing that I/O.
    WorkerExecutor narPool = ctx.vertx().createSharedWorkerExecutor("cairn-nar", narWorkers);
    FsBlobService.Options options = new FsBlobService.Options(FastCdc.Params.DEFAULT, zstd);
    return FsBlobService.create(ctx.vertx(), ctx.blocking(), ctx.server().blobDir(), options)
        .map(blobs -> (Capability) new CastoreCapability(ctx, blobs, narPool));
  }

  public NarIngester ingester() {
    return ingester;
  }

  @Override
  public void grpc(GrpcServer server) {
    new BlobGrpc(blobs).register(new Methods(server, "tvix.castore.v1"));
    new DirectoryGrpc(directories).register(new Methods(server, "tvix.castore.v1"));
    new PathInfoGrpc(pathInfos, renderer, narPool).register(new Methods(server, "tvix.store.v1"));
  }

  @Override
  public Future<Void> close() {
    return narPool.close();
  }
}
