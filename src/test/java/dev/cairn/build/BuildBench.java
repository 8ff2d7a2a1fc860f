package dev.cairn.build;

import dev.cairn.build.fuse.CastoreFs;
import dev.cairn.build.fuse.FixedRoot;
import dev.cairn.build.fuse.FuseMount;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * bench/build.sh's Java side (not a test). {@code trivial N}: N builds of {@code true} end to end
 * through BuildService (bundle, FUSE mount, runc, ingest, cleanup), prints seconds per build.
 * {@code fuse FILE}: ingests FILE, mounts it over FUSE and prints the seconds of one sequential
 * read (dd bs=1M) of the mounted copy.
 */
public final class BuildBench {
  private BuildBench() {}

  public static void main(String[] args) throws Exception {
    try (BuildFixture f = BuildFixture.create(2, 16, Duration.ofMinutes(5))) {
      if (args[0].equals("trivial")) {
        int n = Integer.parseInt(args[1]);
        User user = new User(1, "bench", 0, false, Role.WRITER);
        var request = BuildRequest.fromProto(f.request("$bb mkdir -p $out").build());
        f.builds.submit(request, false, user).done().toCompletionStage().toCompletableFuture().get(); // warm-up
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
          f.builds.submit(request, false, user).done().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
        }
        System.out.printf("trivial build: %.3f s per build (%d builds, sequential)%n", (System.nanoTime() - start) / 1e9 / n, n);
      } else {
        Path file = Path.of(args[1]);
        Node node = f.castore.ingester.ingest(file).root().withName(PathComponent.of("f"));
        Path mnt = Files.createTempDirectory("cairn-bench-fuse-");
        try (FuseMount mount = FuseMount.mount(new CastoreFs(new FixedRoot(List.of(node)), f.castore.blobs, f.castore.directories,
            Duration.ofSeconds(60), 100), mnt)) {
          long start = System.nanoTime();
          Sh.ok("dd", "if=" + mnt.resolve("f"), "of=/dev/null", "bs=1M");
          double s = (System.nanoTime() - start) / 1e9;
          System.out.printf("fuse sequential read: %.3f s, %.0f MB/s%n", s, Files.size(file) / s / 1e6);
        }
      }
    }
  }
}
