package dev.cairn.build;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Where bundles go, checked at start (blocking). runc, already inside the build's user namespace,
 * opens the bundle as the host uid the container's root maps to (e.g. 100000), so every ancestor
 * of the bundle root must be traversable (x) by that uid. The default {@code <data_dir>/builds}
 * often is not (a data dir under a 0700 home); then the default moves to
 * {@code /var/tmp/cairn-builds-<hash of the data dir>}. A configured root that is not traversable
 * is reported as the reason builds are unavailable. The root itself is made 0711: bundles are
 * reachable by the container's uid but not listable or readable by other users.
 */
record BundleRoot(Path path, Optional<String> problem) {
  static final Path FALLBACK_PARENT = Path.of("/var/tmp");

  /** {@code isDefault}: the root is {@code <data_dir>/builds} because build.bundle_root is empty. */
  static BundleRoot resolve(Path configured, boolean isDefault, long uid, long gid) {
    BundleRoot first = usable(configured, uid, gid);
    if (first.problem.isEmpty() || !isDefault) {
      return first.problem.isEmpty() ? first : new BundleRoot(configured, Optional.of("build.bundle_root: " + first.problem.get()
          + "; make it traversable (e.g. chmod 0711) or set build.bundle_root elsewhere"));
    }
    BundleRoot fallback = usable(fallbackFor(configured.getParent()), uid, gid);
    if (fallback.problem.isPresent()) {
      return new BundleRoot(fallback.path, Optional.of("build.bundle_root (empty): neither <data_dir>/builds (" + first.problem.get()
          + ") nor the fallback (" + fallback.problem.get() + ") can be used; set build.bundle_root to a directory whose ancestors are traversable"));
    }
    return fallback;
  }

  /** Prepared and traversable, else the reason. */
  private static BundleRoot usable(Path root, long uid, long gid) {
    BundleRoot prepared = prepare(root);
    if (prepared.problem.isPresent()) {
      return prepared;
    }
    return new BundleRoot(root, blockedAncestor(root, uid, gid));
  }

  /** {@code /var/tmp/cairn-builds-<first 16 hex digits of SHA-256 of the data dir's path>}. */
  static Path fallbackFor(Path dataDir) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(dataDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return FALLBACK_PARENT.resolve("cairn-builds-" + HexFormat.of().formatHex(digest, 0, 8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the root 0711; an existing one must be a directory we own that no one else may write. */
  private static BundleRoot prepare(Path root) {
    try {
      try {
        Files.createDirectories(root.getParent());
        Files.createDirectory(root, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
      } catch (FileAlreadyExistsException e) {
        // checked below
      }
      if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
        return new BundleRoot(root, Optional.of(root + " is not a directory (or is a symlink)"));
      }
      int owner = (Integer) Files.getAttribute(root, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      if (owner != currentUid()) {
        return new BundleRoot(root, Optional.of(root + " is owned by uid " + owner + ", not by the server's uid " + currentUid()));
      }
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
      return new BundleRoot(root, Optional.empty());
    } catch (IOException | RuntimeException e) {
      return new BundleRoot(root, Optional.of("cannot prepare " + root + ": " + e.getMessage()));
    }
  }

  /**
   * The first existing ancestor of {@code dir} (symlinks resolved, {@code dir} itself included
   * when it exists) that {@code uid}/{@code gid} cannot search, described; empty when none.
   */
  static Optional<String> blockedAncestor(Path dir, long uid, long gid) {
    Path existing = dir.toAbsolutePath().normalize();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    try {
      Path real = existing == null ? Path.of("/") : existing.toRealPath();
      for (Path p = real; p != null; p = p.getParent()) {
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        int owner = (Integer) Files.getAttribute(p, "unix:uid");
        int group = (Integer) Files.getAttribute(p, "unix:gid");
        int bit = owner == uid ? 0100 : group == gid ? 0010 : 0001;
        if ((mode & bit) == 0) {
          return Optional.of(p + " (mode " + String.format("%04o", mode & 07777) + ", uid " + owner + ", gid " + group
              + ") is not traversable by host uid " + uid + ", which the build's root maps to (build.uid_map)");
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of("cannot inspect " + existing + ": " + e.getMessage());
    }
  }

  private static int currentUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the server's uid from /proc/self: " + e.getMessage(), e);
    }
  }
}
