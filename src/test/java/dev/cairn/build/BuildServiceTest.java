package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.Node;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.StorePath;
import dev.cairn.store.StorePathDigest;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real runc over a real FUSE mount of castore inputs. */
class BuildServiceTest {
  static final User USER = new User(1, "builder", 0, false, Role.WRITER);
  static BuildFixture f;

  @BeforeAll
  static void start() throws Exception {
    f = BuildFixture.create(2, 4, Duration.ofSeconds(20));
  }

  @AfterAll
  static void stop() throws Exception {
    if (f != null) {
      f.close();
    }
  }

  static BuildResult await(BuildJob job) throws Exception {
    return job.done().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  static BuildFailedException failure(BuildJob job) throws Exception {
    try {
      await(job);
    } catch (ExecutionException e) {
      return assertInstanceOf(BuildFailedException.class, e.getCause());
    }
    throw new AssertionError("build succeeded");
  }

  @Test
  void busyboxBuildProducesExactOutputAndNeedles() throws Exception {
    // A needle straddling the scanner's first read boundary: longest needle (32) - 1 + 64 KiB.
    int boundary = 31 + 65536;
    String across = "acrossaboundaryacrossaboundary01";
    String inName = "onlyinafilenameonlyinafilename01";
    String inFile = "plantedinthefileplantedinthefile";
    String script = String.join("\n",
        "set -e",
        "$bb mkdir -p $out/bin",
        "$bb cat /nix/store/" + BuildFixture.INPUT + "/data.txt > $out/file.txt",
        "echo " + inFile + " >> $out/file.txt",
        "$bb head -c " + (boundary - 10) + " /dev/zero | $bb tr '\\0' x > $out/big",
        "printf " + across + " >> $out/big",
        "$bb touch $out/" + inName,
        "printf '#!/bin/sh\\necho hi\\n' > $out/bin/run",
        "$bb chmod +x $out/bin/run",
        "$bb ln -s /nix/store/" + BuildFixture.INPUT + "/data.txt $out/link",
        "echo built");
    var proto = f.request(script)
        .addRefscanNeedles(BuildFixture.INPUT_HASH).addRefscanNeedles(inFile).addRefscanNeedles(across).addRefscanNeedles(inName)
        .build();
    BuildJob job = f.builds.submit(BuildRequest.fromProto(proto), true, USER);
    BuildResult result = await(job);

    Path expected = Files.createTempDirectory("cairn-expected-").resolve("out");
    Files.createDirectories(expected.resolve("bin"));
    Files.writeString(expected.resolve("file.txt"), "input data\n" + inFile + "\n");
    Files.writeString(expected.resolve("big"), "x".repeat(boundary - 10) + across);
    Files.writeString(expected.resolve(inName), "");
    Files.writeString(expected.resolve("bin/run"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(expected.resolve("bin/run"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(expected.resolve("link"), Path.of("/nix/store/" + BuildFixture.INPUT + "/data.txt"));
    Node want = f.castore.ingester.ingest(expected).root();

    assertEquals(1, result.outputs().size());
    DirectoryNode got = assertInstanceOf(DirectoryNode.class, result.outputs().get(0));
    assertEquals(((DirectoryNode) want).digest(), got.digest(), "output tree");
    assertEquals(List.of(List.of(0L, 1L, 2L)), result.needles(), "input hash (symlink target), file needle, needle across a read boundary; not the name");
    assertTrue(job.log().tail(1000).contains("built"), job.log().tail(1000));

    StorePath out = StorePath.parse("/" + BuildFixture.OUTPUT);
    assertEquals(List.of(out), result.registered());
    var info = TestDatabase.await(f.castore.store.pathInfos().get(StorePathDigest.of(out))).orElseThrow();
    assertEquals(List.of(StorePath.parseBaseName(BuildFixture.INPUT)), info.references());
    f.assertNothingLeft();

    var answer = result.toProto(job.request());
    assertEquals(proto, answer.getBuildRequest());
    assertEquals(List.of(0L, 1L, 2L), answer.getOutputsNeedles(0).getNeedlesList());
  }

  @Test
  void timeoutKillsTheBuildAndLeavesNothingBehind() throws Exception {
    try (BuildFixture quick = BuildFixture.create(1, 1, Duration.ofSeconds(2))) {
      BuildJob job = quick.builds.submit(BuildRequest.fromProto(quick.request("echo sleeping; $bb sleep 60").build()), false, USER);
      BuildFailedException e = failure(job);
      assertEquals(BuildFailedException.Reason.TIMEOUT, e.reason(), e.getMessage());
      assertTrue(e.getMessage().contains("sleeping"), e.getMessage());
      quick.assertNothingLeft();
    }
  }

  @Test
  void cancellingMidRunLeavesNothingBehind() throws Exception {
    BuildJob job = f.builds.submit(BuildRequest.fromProto(f.request("echo started; $bb sleep 60").build()), false, USER);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!job.log().tail(100).contains("started") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(BuildJob.State.RUNNING, job.state());
    assertTrue(f.builds.cancel(job));
    assertEquals(BuildFailedException.Reason.CANCELLED, failure(job).reason());
    f.assertNothingLeft();
  }

  @Test
  void staleLeftoversOfACrashedRunAreRemovedAtStart() throws Exception {
    Path root = Files.createTempDirectory(Path.of("/tmp"), "cairn-builds-stale-");
    Path bundle = Files.createDirectories(root.resolve(BuildExecution.CONTAINER_PREFIX + "crashed/inputs"));
    var fs = new dev.cairn.build.fuse.CastoreFs(new dev.cairn.build.fuse.FixedRoot(List.of(f.busybox)), f.castore.blobs,
        f.castore.directories, Duration.ofSeconds(5), 10);
    dev.cairn.build.fuse.FuseMount.mount(fs, bundle); // left mounted, as a crash would leave it
    assertEquals(List.of(bundle), dev.cairn.build.fuse.FuseMount.mountsUnder(root));
    BuildService.cleanStale(root, new Runc("runc"));
    assertEquals(List.of(), dev.cairn.build.fuse.FuseMount.mountsUnder(root));
    try (var left = Files.list(root)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void binShAdditionalFilesReadOnlyPathsAndWorkingDir() throws Exception {
    Path host = Files.createTempDirectory(Path.of("/tmp"), "cairn-ro-");
    Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(host.resolve("shared.txt"), "shared\n");
    Files.setPosixFilePermissions(host.resolve("shared.txt"), PosixFilePermissions.fromString("rw-r--r--"));
    var proto = f.request("").clearCommandArgs().addCommandArgs("/bin/sh").addCommandArgs("-c").addCommandArgs(
            "$bb pwd; $bb cat conf/settings " + host + "/shared.txt; echo x > " + host + "/shared.txt || echo RO-REFUSED; $bb mkdir -p $out")
        .addAdditionalFiles(dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.AdditionalFile.newBuilder().setPath("build/conf/settings")
            .setContents(com.google.protobuf.ByteString.copyFromUtf8("from-additional-file\n")))
        .setConstraints(dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.BuildConstraints.newBuilder().setProvideBinSh(true)
            .addAvailableRoPaths(host.toString()))
        .build();
    BuildJob job = f.builds.submit(BuildRequest.fromProto(proto), false, USER);
    await(job);
    String log = job.log().tail(4096);
    assertTrue(log.startsWith("/build\nfrom-additional-file\nshared\n"), log);
    assertTrue(log.contains("RO-REFUSED") && log.contains("Read-only file system"), log);
    assertEquals("shared\n", Files.readString(host.resolve("shared.txt")));
    f.assertNothingLeft();
  }

  @Test
  void inputsDirOutsideScratchIsOneReadOnlyMount() throws Exception {
    String bb = "/inputs/" + BuildFixture.INPUT + "/bin/busybox";
    var proto = dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.newBuilder().addInputs(f.busybox.toProto())
        .addCommandArgs(bb).addCommandArgs("sh").addCommandArgs("-c")
        .addCommandArgs(bb + " ls /inputs; " + bb + " cat /inputs/" + BuildFixture.INPUT + "/data.txt > /out/copy; "
            + bb + " touch /inputs/new || echo INPUTS-RO")
        .setInputsDir("inputs").addScratchPaths("out").addOutputs("out").build();
    BuildJob job = f.builds.submit(BuildRequest.fromProto(proto), false, USER);
    BuildResult result = await(job);
    assertTrue(job.log().tail(4096).startsWith(BuildFixture.INPUT + "\n"), job.log().tail(4096));
    assertTrue(job.log().tail(4096).contains("INPUTS-RO"), job.log().tail(4096));
    DirectoryNode out = assertInstanceOf(DirectoryNode.class, result.outputs().get(0));
    var dir = TestDatabase.await(f.castore.directories.get(out.digest())).orElseThrow();
    assertEquals("copy", dir.files().get(0).name().toString());
    assertEquals(11, dir.files().get(0).size(), "\"input data\\n\"");
    f.assertNothingLeft();
  }

  @Test
  void exceedingTheMemoryLimitFailsTheBuild() throws Exception {
    // The fixture's limit is 512 MiB; dd touches every page of its 700 MiB buffer.
    BuildJob job = f.builds.submit(BuildRequest.fromProto(f.request("exec $bb dd if=/dev/zero of=/dev/null bs=700M count=1")
        .build()), false, USER);
    BuildFailedException e = failure(job);
    assertEquals(BuildFailedException.Reason.FAILED, e.reason(), e.getMessage());
    assertTrue(e.getMessage().contains("SIGKILL: out of memory"), e.getMessage());
    f.assertNothingLeft();
  }

  @Test
  void failingBuildLeavesNothingBehind() throws Exception {
    BuildJob job = f.builds.submit(BuildRequest.fromProto(f.request("echo about to fail; exit 1").build()), false, USER);
    BuildFailedException e = failure(job);
    assertEquals(BuildFailedException.Reason.FAILED, e.reason());
    assertTrue(e.getMessage().contains("exit code 1") && e.getMessage().contains("about to fail"), e.getMessage());
    f.assertNothingLeft();
  }

  @Test
  void inputsAreReadOnlyAndThereIsNoNetworkUnlessRequested() throws Exception {
    BuildJob write = f.builds.submit(BuildRequest.fromProto(f.request(
        "echo x > /nix/store/" + BuildFixture.INPUT + "/data.txt && echo WROTE").build()), false, USER);
    assertEquals(BuildFailedException.Reason.FAILED, failure(write).reason());
    assertTrue(write.log().tail(4096).contains("Read-only file system"), write.log().tail(4096));
    assertTrue(!write.log().tail(4096).contains("WROTE"), write.log().tail(4096));
    try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Thread acceptor = new Thread(() -> {
        while (!listener.isClosed()) {
          try {
            listener.accept().close();
          } catch (java.io.IOException closed) {
            return;
          }
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      String connect = "$bb nc -w 2 127.0.0.1 " + listener.getLocalPort() + " </dev/null && echo CONNECTED";
      BuildJob isolated = f.builds.submit(BuildRequest.fromProto(f.request(connect).build()), false, USER);
      assertEquals(BuildFailedException.Reason.FAILED, failure(isolated).reason());
      assertTrue(!isolated.log().tail(4096).contains("CONNECTED"), isolated.log().tail(4096));
      var withNetwork = f.request(connect + "; $bb mkdir -p $out").setConstraints(
          dev.cairn.grpc.proto.tvix.build.v1.BuildRequest.BuildConstraints.newBuilder().setNetworkAccess(true)).build();
      BuildJob allowed = f.builds.submit(BuildRequest.fromProto(withNetwork), false, USER);
      await(allowed);
      assertTrue(allowed.log().tail(4096).contains("CONNECTED"), "network_access: the same build connects: " + allowed.log().tail(4096));
    }
    f.assertNothingLeft();
  }
}
