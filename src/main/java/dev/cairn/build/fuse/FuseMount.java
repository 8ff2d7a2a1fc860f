package dev.cairn.build.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A {@link CastoreFs} mounted read-only at a directory, until {@link #close()}. Mounting and
 * unmounting block (libfuse, fusermount): call them from a worker, never an event loop.
 *
 * <p>Options: {@code ro}; {@code use_ino} so the kernel sees our content-derived inodes;
 * {@code allow_other} so a sandboxed build (another uid in its user namespace) can read;
 * {@code default_permissions} so the kernel checks the 0444/0555 modes; kernel caching of
 * attributes and entries (the content never changes); {@code kernel_cache}, so file data read
 * once stays in the page cache across opens (a file's content never changes either).
 * {@code max_read} stays at 128 KiB: libfuse 2 cannot negotiate larger requests with the kernel
 * (FUSE_MAX_PAGES is a libfuse 3 feature), so a larger value would change nothing.
 */
public final class FuseMount implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger("cairn.fuse");
  private static final Duration MOUNT_WAIT = Duration.ofSeconds(10);
  public static final String FS_NAME = "cairn-castore";
  /** How long the kernel keeps entries and attributes: content under a root entry never changes. */
  static final long ENTRY_TIMEOUT_SECONDS = 3600;

  private final CastoreFs fs;
  private final Path mountPoint;
  private boolean closed;

  private FuseMount(CastoreFs fs, Path mountPoint) {
    this.fs = fs;
    this.mountPoint = mountPoint;
  }

  /** Mounts {@code fs} at {@code mountPoint} (an existing empty directory) and waits until the kernel serves it. */
  public static FuseMount mount(CastoreFs fs, Path mountPoint) throws IOException {
    Path dir = mountPoint.toAbsolutePath().normalize();
    String[] options = {"-o", "ro,use_ino,allow_other,default_permissions,fsname=" + FS_NAME + ",subtype=cairn"
        + ",entry_timeout=" + ENTRY_TIMEOUT_SECONDS + ",attr_timeout=" + ENTRY_TIMEOUT_SECONDS + ",negative_timeout=60"
        + ",kernel_cache,max_read=131072"};
    try {
      fs.mount(dir, false, false, options);
    } catch (RuntimeException e) {
      throw new IOException("cannot mount FUSE at " + dir + ": " + e.getMessage(), e);
    }
    FuseMount mount = new FuseMount(fs, dir);
    long deadline = System.nanoTime() + MOUNT_WAIT.toNanos();
    while (!isMounted(dir)) {
      if (System.nanoTime() > deadline) {
        mount.close();
        throw new IOException("FUSE mount at " + dir + " did not appear in /proc/mounts within " + MOUNT_WAIT);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        mount.close();
        throw new IOException("interrupted while mounting " + dir, e);
      }
    }
    return mount;
  }

  public Path mountPoint() {
    return mountPoint;
  }

  public CastoreFs fs() {
    return fs;
  }

  /** Unmounts; lazily (detaching) when a process still holds the mount busy. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      fs.umount();
    } catch (RuntimeException e) {
      LOG.warning("unmounting " + mountPoint + ": " + e.getMessage());
    }
    if (isMounted(mountPoint)) {
      unmountLazily(mountPoint);
    }
  }

  /** Whether a filesystem is mounted exactly at {@code dir} (per /proc/self/mounts). */
  public static boolean isMounted(Path dir) {
    return mountsUnder(dir).contains(dir.toAbsolutePath().normalize());
  }

  /** Mount points at or below {@code dir}, deepest first (the order to unmount them in). */
  public static List<Path> mountsUnder(Path dir) {
    Path base = dir.toAbsolutePath().normalize();
    List<Path> found = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] fields = line.split(" ");
        if (fields.length < 2) {
          continue;
        }
        Path point = Path.of(unescape(fields[1]));
        if (point.startsWith(base)) {
          found.add(point);
        }
      }
    } catch (IOException e) {
      LOG.warning("cannot read /proc/self/mounts: " + e.getMessage());
    }
    found.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
    return found;
  }

  /** /proc/mounts escapes space, tab, newline and backslash as octal. */
  private static String unescape(String field) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && i + 3 < field.length()) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Detaches whatever is mounted at {@code dir} (FUSE via fusermount, else umount): used for
   * mounts a build left busy and for stale mounts a crashed run left behind.
   */
  public static void unmountLazily(Path dir) {
    if (!run("fusermount", "-u", "-z", dir.toString())) {
      run("umount", "-l", dir.toString());
    }
  }

  private static boolean run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
