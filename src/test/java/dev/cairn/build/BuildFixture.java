package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.build.fuse.FuseMount;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** A store with a busybox input tree, a bundle root, and a {@link BuildService} over them. */
public final class BuildFixture implements AutoCloseable {
  public static final String INPUT_HASH = "0c6kzph7l0dcbfmjap64f0czdafn3b7x";
  public static final String INPUT = INPUT_HASH + "-busybox";
  public static final String OUTPUT_HASH = "1b9p7sm3i5qbkv8m5d6pfl2w0jl3x4yr";
  public static final String OUTPUT = "nix/store/" + OUTPUT_HASH + "-out";

  public final CastoreFixture castore;
  public final Path bundleRoot;
  public final Node busybox;
  public BuildService builds;

  private BuildFixture(CastoreFixture castore, Path bundleRoot, Node busybox) {
    this.castore = castore;
    this.bundleRoot = bundleRoot;
    this.busybox = busybox;
  }

  public static BuildFixture create(int maxConcurrent, int maxQueued, Duration timeout) throws Exception {
    CastoreFixture castore = CastoreFixture.create(Dialect.SQLITE);
    Path tree = Files.createTempDirectory("cairn-bb-").resolve("tree");
    Files.createDirectories(tree.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), tree.resolve("bin/busybox"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.setPosixFilePermissions(tree.resolve("bin/busybox"), PosixFilePermissions.fromString("r-xr-xr-x"));
    Files.writeString(tree.resolve("data.txt"), "input data\n");
    Node busybox = castore.ingester.ingest(tree).root().withName(PathComponent.of(INPUT));
    Path root = Files.createTempDirectory(Path.of("/tmp"), "cairn-builds-");
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
    BuildFixture f = new BuildFixture(castore, root, busybox);
    f.builds = TestDatabase.await(BuildService.start(castore.vertx, config(root, maxConcurrent, maxQueued, timeout), castore.store));
    return f;
  }

  public static BuildConfig config(Path root, int maxConcurrent, int maxQueued, Duration timeout) {
    return new BuildConfig(true, root, false, maxConcurrent, maxQueued, timeout, 512L << 20, 1024, Path.of("/bin/busybox"), "runc",
        IdMap.FALLBACK, IdMap.FALLBACK, 1 << 20, Duration.ofSeconds(30), 100);
  }

  /** The Nix layout: inputs in nix/store, scratch build and nix/store, one output in nix/store. */
  public dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.Builder request(String script) {
    return request(busybox, script);
  }

  /** The same over any busybox input node. */
  public static dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.Builder request(Node busybox, String script) {
    return dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.newBuilder()
        .addInputs(busybox.toProto())
        .addCommandArgs("/nix/store/" + INPUT + "/bin/busybox").addCommandArgs("sh").addCommandArgs("-c").addCommandArgs(script)
        .setWorkingDir("build").addScratchPaths("build").addScratchPaths("nix/store").setInputsDir("nix/store")
        .addOutputs(OUTPUT)
        .addEnvironmentVars(dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.EnvVar.newBuilder().setKey("bb")
            .setValue(com.google.protobuf.ByteString.copyFromUtf8("/nix/store/" + INPUT + "/bin/busybox")))
        .addEnvironmentVars(dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.EnvVar.newBuilder().setKey("out")
            .setValue(com.google.protobuf.ByteString.copyFromUtf8("/" + OUTPUT)));
  }

  /** No container, mount or bundle of ours left. */
  public void assertNothingLeft() throws Exception {
    assertEquals(List.of(), FuseMount.mountsUnder(bundleRoot), "mounts under the bundle root");
    try (Stream<Path> s = Files.list(bundleRoot)) {
      assertEquals(List.of(), s.toList(), "bundle directories");
    }
    String runcList = Sh.ok("runc", "list");
    assertTrue(!runcList.contains(bundleRoot.toString()), "runc containers: " + runcList);
  }

  @Override
  public void close() throws Exception {
    if (builds != null) {
      TestDatabase.await(builds.close());
    }
    castore.close();
  }
}
