package dev.cairn.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Choosing the bundle root: traversable by the build's mapped uid, 0711, owned by the server. */
class BundleRootTest {
  private static final long UID = 100_000;

  private static Path dir(String mode) throws Exception {
    Path d = Files.createTempDirectory(Path.of("/tmp"), "cairn-broot-");
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
    return d;
  }

  @Test
  void traversableDefaultIsKeptAndMade0711() throws Exception {
    Path root = dir("rwxr-xr-x").resolve("data").resolve("builds");
    BundleRoot r = BundleRoot.resolve(root, true, UID, UID);
    assertEquals(new BundleRoot(root, Optional.empty()), r);
    assertEquals("rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
  }

  @Test
  void configuredRootUnderAPrivateDirectoryIsRefusedNamingTheKey() throws Exception {
    Path home = dir("rwx------");
    BundleRoot r = BundleRoot.resolve(home.resolve("builds"), false, UID, UID);
    String problem = r.problem().orElseThrow();
    assertTrue(problem.startsWith("build.bundle_root: " + home + " (mode 0700") && problem.contains("host uid 100000"), problem);
  }

  @Test
  void aFallbackSomeoneElseOwnsIsRefused() throws Exception {
    Path data = dir("rwx------").resolve("data");
    Path fallback = BundleRoot.fallbackFor(data);
    Files.createDirectory(fallback);
    try {
      Files.setAttribute(fallback, "unix:uid", 12345);
      BundleRoot r = BundleRoot.resolve(data.resolve("builds"), true, UID, UID);
      String problem = r.problem().orElseThrow();
      assertTrue(problem.startsWith("build.bundle_root (empty)") && problem.contains("owned by uid 12345"), problem);
    } finally {
      Files.delete(fallback);
    }
  }
}
