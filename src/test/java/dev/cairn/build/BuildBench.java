package dev.cairn.build;

import com.sun.management.OperatingSystemMXBean;
import dev.cairn.build.fuse.CastoreFs;
import dev.cairn.build.fuse.FixedRoot;
import dev.cairn.build.fuse.FuseMount;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * bench/build.sh's Java side (not a test). {@code trivial N}: N builds of {@code true} end to end
 * through BuildService (bundle, FUSE mount, runc, ingest, cleanup), prints seconds per build.
 * {@code fuse FILE [ROUNDS=3]}: ingests FILE; each round mounts it over FUSE and prints the seconds
 * and the server's CPU seconds of a sequential read (dd bs=1M) of the mounted copy, then of a
 * second read (served from the page cache: the mount keeps file data cached across opens). {@code -Dcairn.bench.jfr=FILE}
 * records a JFR profile of the reads.
 */
public final class BuildBench {
  private BuildBench() {}

  /** One dd bs=1M of {@code path}: wall time and this process's CPU time (the FUSE server side; dd's own is not counted). */
  private static void read(String what, Path path, long size) throws Exception {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu = os.getProcessCpuTime();
    long start = System.nanoTime();
    Sh.ok("dd", "if=" + path, "of=/dev/null", "bs=1M");
    double s = (System.nanoTime() - start) / 1e9;
    double cpuS = (os.getProcessCpuTime() - cpu) / 1e9;
    System.out.printf("%s: %.3f s, %.0f MB/s (server CPU %.3f s, %.2f s per GiB)%n", what, s, size / s / 1e6, cpuS,
        cpuS / (size / (double) (1L << 30)));
  }

  /** A JFR recording of the reads when {@code -Dcairn.bench.jfr=FILE} is given (CPU samples every 10 ms). */
  private static Recording startRecording() throws Exception {
    if (System.getProperty("cairn.bench.jfr") == null) {
      return null;
    }
    Recording r = new Recording(Configuration.getConfiguration("profile"));
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    r.start();
    return r;
  }

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
        // Each round mounts anew (a new superblock: a cold page cache), so the first read goes through
        // CastoreFs every time; the first round includes JIT warm-up.
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (Recording jfr = startRecording()) {
          for (int round = 1; round <= rounds; round++) {
            Path mnt = Files.createTempDirectory("cairn-bench-fuse-");
            try (FuseMount mount = FuseMount.mount(new CastoreFs(new FixedRoot(List.of(node)), f.castore.blobs,
                f.castore.directories, Duration.ofSeconds(60), 100), mnt)) {
              read("round " + round + ": fuse sequential read", mnt.resolve("f"), Files.size(file));
              read("round " + round + ": fuse second read (page cache)", mnt.resolve("f"), Files.size(file));
            }
          }
          if (jfr != null) {
            jfr.dump(Path.of(System.getProperty("cairn.bench.jfr")));
          }
        }
      }
    }
  }
}
