package dev.cairn.server.cli;

import dev.cairn.build.fuse.CastoreFs;
import dev.cairn.build.fuse.FuseMount;
import dev.cairn.build.fuse.PathInfoRoot;
import dev.cairn.nix.StorePath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Promise;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mount", mixinStandardHelpOptions = true,
    description = {"Mount the store read-only over FUSE at DIR: one directory entry per PathInfo, named by its store path "
        + "basename (like tvix-store mount). Runs until SIGTERM or Ctrl-C, then unmounts."})
final class MountCommand implements Callable<Integer> {
  @Mixin
  ConfigOption config;

  @Parameters(index = "0", paramLabel = "DIR", description = "An existing empty directory.")
  Path dir;

  @Option(names = "--store-dir", paramLabel = "STORE_DIR", defaultValue = StorePath.STORE_DIR,
      description = "The store directory the paths belong to (default and only supported value: /nix/store); "
          + "symlinks inside paths point there, so mount DIR at it (or bind-mount DIR there) for them to resolve.")
  String storeDir;

  @Option(names = "--timeout", paramLabel = "DURATION", converter = GcCommand.DurationConverter.class, defaultValue = "30s",
      description = "A read the store does not answer within this fails with EIO (default 30s).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    if (!storeDir.equals(StorePath.STORE_DIR)) {
      throw new IllegalArgumentException("--store-dir: only " + StorePath.STORE_DIR + " is supported, got " + storeDir);
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is not a directory");
    }
    CountDownLatch finished = new CountDownLatch(1);
    Admin.withStore(config.load(), (db, store) -> {
      Promise<Void> stopped = Promise.promise();
      store.narPool().<FuseMount>executeBlocking(() -> FuseMount.mount(
              new CastoreFs(new PathInfoRoot(store.pathInfos()), store.blobs(), store.directories(), timeout, 10_000), dir))
          .onFailure(stopped::fail)
          .onSuccess(mount -> {
            System.err.println("cairn: store mounted at " + mount.mountPoint() + "; SIGTERM or Ctrl-C unmounts");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
              mount.close();
              System.err.println("cairn: unmounted " + mount.mountPoint());
              stopped.tryComplete();
              try {
                finished.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }, "cairn-unmount"));
          });
      return stopped.future();
    });
    finished.countDown();
    return 0;
  }
}
