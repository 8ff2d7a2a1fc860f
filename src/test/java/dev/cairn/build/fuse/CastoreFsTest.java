package dev.cairn.build.fuse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.build.Sh;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.PathComponent;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The castore FUSE filesystem through real kernel reads (cat, ls, stat, readlink, find, sha256sum). */
class CastoreFsTest {
  static CastoreFixture fixture;
  static Path source;
  static Path mountPoint;
  static FuseMount mount;
  static CastoreFs fs;
  static Node tree;
  static final int READERS = 6;

  @BeforeAll
  static void mountTree() throws Exception {
    fixture = CastoreFixture.create(Dialect.SQLITE);
    source = Files.createTempDirectory("cairn-fuse-src-").resolve("tree");
    Files.createDirectories(source.resolve("sub/deeper"));
    Files.writeString(source.resolve("hello.txt"), "Hello World!");
    Files.writeString(source.resolve("sub/same.txt"), "Hello World!");
    Files.writeString(source.resolve("sub/deeper/run.sh"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(source.resolve("sub/deeper/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createSymbolicLink(source.resolve("link"), Path.of("sub/deeper/run.sh"));
    Files.createDirectories(source.resolve("empty"));
    byte[] big = new byte[5 * 1024 * 1024 + 123];
    new Random(7).nextBytes(big);
    Files.write(source.resolve("big.bin"), big);
    new Random(8).nextBytes(big);
    Files.write(source.resolve("chunks.bin"), big); // read only by the chunk boundary test: not in the page cache before
    for (String name : List.of("b", "a", "c")) {
      Files.writeString(source.resolve("sub/" + name), name);
    }
    Files.createDirectories(source.resolve("many"));
    for (int i = 0; i < READERS; i++) {
      byte[] data = new byte[3 * 1024 * 1024 + i * 4099];
      new Random(100 + i).nextBytes(data);
      Files.write(source.resolve("many/f" + i), data);
      Files.writeString(source.resolve("many/small" + i), "small file " + i + "\n");
    }
    tree = fixture.ingester.ingest(source).root().withName(PathComponent.of("tree"));
    Node missing = new FileNode(PathComponent.of("missing"), new B3Digest(new byte[32]), 10, false);
    fs = new CastoreFs(new FixedRoot(List.of(tree, missing)), fixture.blobs, fixture.directories, Duration.ofSeconds(10), 1000);
    mountPoint = Files.createTempDirectory("cairn-fuse-mnt-");
    mount = FuseMount.mount(fs, mountPoint);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mount != null) {
      mount.close();
      assertFalse(FuseMount.isMounted(mountPoint), "unmounted");
    }
    fixture.close();
  }

  private static String m(String rel) {
    return mountPoint.resolve(rel).toString();
  }

  @Test
  void catReadsFileContents() throws Exception {
    assertEquals("Hello World!", Sh.ok("cat", m("tree/hello.txt")));
    assertEquals("#!/bin/sh\necho hi\n", Sh.ok("cat", m("tree/link")));
  }

  @Test
  void largeMultiChunkFileReadsIdentically() throws Exception {
    String expected = Sh.ok("sha256sum", source.resolve("big.bin").toString()).split(" ")[0];
    assertEquals(expected, Sh.ok("sha256sum", m("tree/big.bin")).split(" ")[0]);
    // A ranged read in the middle (not sequential from 0): dd with skip.
    String local = Sh.ok("sh", "-c", "dd if=" + source.resolve("big.bin") + " bs=4096 skip=777 count=300 2>/dev/null | sha256sum");
    String fused = Sh.ok("sh", "-c", "dd if=" + m("tree/big.bin") + " bs=4096 skip=777 count=300 2>/dev/null | sha256sum");
    assertEquals(local, fused);
  }

  @Test
  void multiChunkFileReadsByteForByteAcrossEveryChunkBoundary() throws Exception {
    byte[] expected = Files.readAllBytes(source.resolve("chunks.bin"));
    FileNode big = (FileNode) fs.resolve("/tree/chunks.bin").orElseThrow();
    List<ChunkMeta> chunks = TestDatabase.await(fixture.blobs.stat(big.digest())).orElseThrow().chunks();
    assertTrue(chunks.size() > 3, "a multi-chunk blob: " + chunks.size() + " chunks");
    // Reads that straddle each chunk boundary, out of order (last boundary first), on one handle.
    try (RandomAccessFile f = new RandomAccessFile(mountPoint.resolve("tree/chunks.bin").toFile(), "r")) {
      long boundary = 0;
      List<Long> boundaries = new ArrayList<>();
      for (ChunkMeta c : chunks) {
        boundary += c.size();
        boundaries.add(boundary);
      }
      Collections.reverse(boundaries);
      for (long b : boundaries) {
        long from = Math.max(0, b - 1000);
        byte[] got = new byte[(int) Math.min(3000, expected.length - from)];
        f.seek(from);
        f.readFully(got);
        assertArrayEquals(Arrays.copyOfRange(expected, (int) from, (int) from + got.length), got, "at " + from);
      }
    }
    assertArrayEquals(expected, Files.readAllBytes(mountPoint.resolve("tree/chunks.bin")));
  }

  @Test
  void concurrentReadersOfManyFilesGetTheirOwnBytes() throws Exception {
    // Two readers per file start together, so CastoreFs serves concurrent first reads of the same
    // and of different files (the page cache keeps what was read, so later reads never reach it).
    ExecutorService pool = Executors.newFixedThreadPool(2 * READERS);
    try {
      CyclicBarrier start = new CyclicBarrier(2 * READERS);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int r = 0; r < 2 * READERS; r++) {
        int i = r % READERS;
        results.add(pool.submit(() -> {
          start.await();
          return Arrays.equals(Files.readAllBytes(source.resolve("many/f" + i)), Files.readAllBytes(mountPoint.resolve("tree/many/f" + i)))
              && Files.readString(mountPoint.resolve("tree/many/small" + i)).equals("small file " + i + "\n");
        }));
      }
      for (Future<Boolean> f : results) {
        assertTrue(f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    // Every handle released gives its read-ahead back (the kernel sends release after close, asynchronously).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while ((fs.openFiles() > 0 || fs.readAheadBytes() > 0) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(0, fs.readAheadBytes(), "read-ahead bytes held after every file was closed");
  }

  @Test
  void modesAreReadOnly() throws Exception {
    assertEquals("444 regular file 12", Sh.ok("stat", "-c", "%a %F %s", m("tree/hello.txt")).trim());
    assertEquals("555 regular file", Sh.ok("stat", "-c", "%a %F", m("tree/sub/deeper/run.sh")).trim());
    assertEquals("555 directory", Sh.ok("stat", "-c", "%a %F", m("tree/sub")).trim());
    assertEquals("555 directory", Sh.ok("stat", "-c", "%a %F", m("")).trim());
    assertEquals("symbolic link", Sh.ok("stat", "-c", "%F", m("tree/link")).trim());
    Sh write = Sh.run("sh", "-c", "echo x > " + m("tree/hello.txt"));
    assertNotEquals(0, write.exit(), write.out());
    Sh create = Sh.run("touch", m("tree/new"));
    assertNotEquals(0, create.exit(), create.out());
  }

  @Test
  void sameContentHasSameInode() throws Exception {
    String a = Sh.ok("stat", "-c", "%i", m("tree/hello.txt")).trim();
    String b = Sh.ok("stat", "-c", "%i", m("tree/sub/same.txt")).trim();
    String c = Sh.ok("stat", "-c", "%i", m("tree/sub/a")).trim();
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertEquals("1", Sh.ok("stat", "-c", "%i", m("")).trim());
  }

  @Test
  void readdirListsNamesInOrder() throws Exception {
    assertEquals(List.of("a", "b", "c", "deeper", "same.txt"), List.of(Sh.ok("ls", "-f", "-A", m("tree/sub")).trim().split("\n"))
        .stream().filter(s -> !s.startsWith(".")).toList());
    String ls = Sh.ok("ls", "-la", m("tree"));
    assertTrue(ls.contains("-r--r--r--") && ls.contains("dr-xr-xr-x") && ls.contains("link -> sub/deeper/run.sh"), ls);
    assertEquals(Sh.ok("sh", "-c", "cd " + source + " && find . | sort"), Sh.ok("sh", "-c", "cd " + m("tree") + " && find . | sort"));
  }

  @Test
  void readlinkAnswersTheTarget() throws Exception {
    assertEquals("sub/deeper/run.sh", Sh.ok("readlink", m("tree/link")).trim());
  }

  @Test
  void missingBlobIsEioNotAHang() throws Exception {
    Sh r = Sh.run("cat", m("missing"));
    assertNotEquals(0, r.exit());
    assertTrue(r.out().contains("Input/output error"), r.out());
    Sh absent = Sh.run("stat", m("tree/nope"));
    assertTrue(absent.out().contains("No such file"), absent.out());
  }
}
