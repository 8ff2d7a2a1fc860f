package dev.cairn.build;

import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The build capability's settings (keys under {@code build.} in conf/cairn.yaml). */
public record BuildConfig(
    boolean enabled,
    Path bundleRoot,
    boolean bundleRootDefault,
    int maxConcurrent,
    int maxQueued,
    Duration timeout,
    long memoryLimit,
    int nofile,
    Path sandboxShell,
    String runc,
    List<IdMap> uidMap,
    List<IdMap> gidMap,
    int logMaxBytes,
    Duration fuseTimeout,
    int keepFinished) {

  public static BuildConfig from(ConfigTree tree, ServerConfig server) {
    String root = tree.string("build.bundle_root").strip();
    String user = System.getProperty("user.name");
    return new BuildConfig(
        tree.bool("build.enabled"),
        root.isEmpty() ? server.dataDir().resolve("builds").toAbsolutePath() : Path.of(root).toAbsolutePath(),
        root.isEmpty(),
        tree.integer("build.max_concurrent", 1, 1024),
        tree.integer("build.max_queued", 0, 1_000_000),
        tree.duration("build.timeout"),
        tree.longValue("build.memory_limit", 1 << 20, Long.MAX_VALUE),
        tree.integer("build.nofile", 64, 1 << 20),
        tree.path("build.sandbox_shell"),
        tree.string("build.runc").strip(),
        IdMap.configured("build.uid_map", tree.string("build.uid_map"), Path.of("/etc/subuid"), user),
        IdMap.configured("build.gid_map", tree.string("build.gid_map"), Path.of("/etc/subgid"), user),
        tree.integer("build.log_max_bytes", 1024, 1 << 30),
        tree.duration("build.fuse_timeout"),
        tree.integer("build.keep_finished", 1, 1_000_000));
  }

  /** The same settings with the bundle root the server settled on at start ({@link BundleRoot}). */
  BuildConfig withBundleRoot(Path root) {
    return new BuildConfig(enabled, root, bundleRootDefault, maxConcurrent, maxQueued, timeout, memoryLimit, nofile, sandboxShell,
        runc, uidMap, gidMap, logMaxBytes, fuseTimeout, keepFinished);
  }
}
