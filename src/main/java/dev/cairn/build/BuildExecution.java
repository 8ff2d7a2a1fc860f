package dev.cairn.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.build.fuse.CastoreFs;
import dev.cairn.build.fuse.FixedRoot;
import dev.cairn.build.fuse.FuseMount;
import dev.cairn.castore.Node;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.SymlinkNode;
import dev.cairn.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Runs one build, blocking, on a build worker: bundle → FUSE mount of the inputs → {@code runc
 * run} → outputs ingested and scanned → container, mount and bundle removed, on every exit path
 * (success, failure, timeout, cancellation, an exception of our own).
 */
final class BuildExecution {
  private static final Logger LOG = Logger.getLogger("cairn.build");
  static final String CONTAINER_PREFIX = "cairn-build-";
  private static final int LOG_TAIL = 2048;

  private final BuildConfig config;
  private final Store store;
  private final Runc runc;
  private final OutputRegistration registration;

  BuildExecution(BuildConfig config, Store store, Runc runc, OutputRegistration registration) {
    this.config = config;
    this.store = store;
    this.runc = runc;
    this.registration = registration;
  }

  BuildResult run(BuildJob job) {
    String containerId = CONTAINER_PREFIX + job.id();
    BuildRequest request = job.request();
    BundleLayout layout = new BundleLayout(config.bundleRoot().resolve(containerId), inputsWhole(request));
    FuseMount mount = null;
    try {
      prepare(request, layout);
      mount = FuseMount.mount(new CastoreFs(new FixedRoot(request.inputs()), store.blobs(), store.directories(),
          config.fuseTimeout(), 4096), layout.inputs());
      runContainer(job, layout, containerId);
      List<Node> outputs = new ArrayList<>();
      List<List<Long>> needles = new ArrayList<>();
      List<NarIngester.Result> nars = new ArrayList<>();
      RefScanner scanner = new RefScanner(request.needleBytes());
      for (int i = 0; i < request.outputs().size(); i++) {
        String output = request.outputs().get(i);
        Path host = OciSpec.hostPath(request, layout, output);
        if (!Files.exists(host, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          throw new BuildFailedException(BuildFailedException.Reason.FAILED, "output " + output + " was not produced");
        }
        NarIngester.Result nar = store.ingester().ingest(host);
        nars.add(nar);
        outputs.add(nar.root());
        needles.add(scanner.scan(host));
      }
      var registered = job.register() ? registration.register(job, nars, needles) : List.<dev.cairn.nix.StorePath>of();
      return new BuildResult(outputs, needles, registered);
    } catch (BuildFailedException e) {
      throw e;
    } catch (Exception e) {
      if (job.cancelRequested()) {
        throw new BuildFailedException(BuildFailedException.Reason.CANCELLED, "cancelled");
      }
      LOG.warning("build " + job.id() + ": " + e);
      throw new BuildFailedException(BuildFailedException.Reason.ERROR, "build " + job.id() + " could not run: " + e.getMessage());
    } finally {
      cleanup(containerId, layout.dir(), mount);
    }
  }

  /**
   * Inputs mounted as one directory at inputs_dir when nothing writable lives below it;
   * otherwise (Nix's layout: inputs_dir nix/store is also where outputs go) input by input.
   */
  private static boolean inputsWhole(BuildRequest r) {
    if (r.inputsDir().isEmpty()) {
      return false;
    }
    return r.scratchPaths().stream().noneMatch(s -> CleanPath.isUnder(s, r.inputsDir()) || CleanPath.isUnder(r.inputsDir(), s));
  }

  private void prepare(BuildRequest request, BundleLayout layout) throws IOException {
    // 0711: the container's uid passes through to rootfs and the mounts; others cannot list it.
    Files.createDirectory(layout.dir(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")));
    Files.createDirectories(layout.rootfs());
    Files.createDirectories(layout.inputs());
    long uid = IdMap.hostRoot(config.uidMap());
    long gid = IdMap.hostRoot(config.gidMap());
    // Owned by the container's root: runc, already inside the user namespace, creates mount
    // points in the rootfs; the build writes its scratch directories.
    chown(layout.rootfs(), uid, gid);
    for (String s : request.scratchPaths()) {
      chown(Files.createDirectories(layout.scratch(s)), uid, gid);
    }
    for (BuildRequest.AdditionalFile f : request.additionalFiles()) {
      Path host = OciSpec.hostPath(request, layout, f.path());
      Files.createDirectories(host.getParent());
      Files.write(host, f.contents());
    }
    if (!layout.inputsWhole()) {
      for (Node input : request.inputs()) {
        if (input instanceof SymlinkNode link) {
          Path host = OciSpec.hostPath(request, layout, OciSpec.inputTarget(request, input.name().toString()).substring(1));
          Files.createDirectories(host.getParent());
          Files.createSymbolicLink(host, Path.of(link.target().toString()));
        }
      }
    }
    new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(layout.config().toFile(), OciSpec.render(request, layout, config));
  }

  private static void chown(Path dir, long uid, long gid) throws IOException {
    Files.setAttribute(dir, "unix:uid", (int) uid);
    Files.setAttribute(dir, "unix:gid", (int) gid);
  }

  private void runContainer(BuildJob job, BundleLayout layout, String containerId) throws IOException, InterruptedException {
    Process process = runc.start(layout.dir(), containerId);
    job.onCancel(() -> {
      runc.kill(containerId);
      process.destroyForcibly();
    });
    Thread pump = new Thread(() -> pump(process.getInputStream(), job.log()), "cairn-build-log-" + job.id());
    pump.setDaemon(true);
    pump.start();
    boolean exited = process.waitFor(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      runc.kill(containerId);
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
    pump.join(5000);
    if (job.cancelRequested()) {
      throw new BuildFailedException(BuildFailedException.Reason.CANCELLED, "cancelled");
    }
    if (!exited) {
      throw new BuildFailedException(BuildFailedException.Reason.TIMEOUT, "timeout: still running after " + config.timeout()
          + " (build.timeout); log tail:\n" + job.log().tail(LOG_TAIL));
    }
    int exit = process.exitValue();
    if (exit != 0) {
      String why = exit == 137 ? "killed (SIGKILL: out of memory, limit " + memoryLimit(job.request()) + " bytes?)" : "exit code " + exit;
      throw new BuildFailedException(BuildFailedException.Reason.FAILED, "build failed: " + why + "; log tail:\n"
          + job.log().tail(LOG_TAIL));
    }
  }

  private long memoryLimit(BuildRequest request) {
    return Math.max(config.memoryLimit(), request.constraints().minMemory());
  }

  private static void pump(InputStream in, BuildLog log) {
    byte[] buffer = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        log.append(buffer, 0, n);
      }
    } catch (IOException e) {
      // the process went away
    }
  }

  /** Container, then mounts, then files: never deletes through a mount that is still there. */
  void cleanup(String containerId, Path bundle, FuseMount mount) {
    runc.delete(containerId);
    if (mount != null) {
      mount.close();
    }
    removeBundle(bundle);
  }

  static void removeBundle(Path bundle) {
    for (Path point : FuseMount.mountsUnder(bundle)) {
      FuseMount.unmountLazily(point);
    }
    if (!FuseMount.mountsUnder(bundle).isEmpty()) {
      LOG.severe("bundle " + bundle + " still has mounts " + FuseMount.mountsUnder(bundle) + "; not deleting it");
      return;
    }
    if (!Files.exists(bundle, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(bundle)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warning("removing bundle " + bundle + ": " + e);
    }
  }
}
