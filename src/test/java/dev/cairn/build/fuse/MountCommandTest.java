package dev.cairn.build.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.build.Sh;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.NarIngester;
import dev.cairn.castore.PathComponent;
import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.db.Dialect;
import dev.cairn.db.TestDatabase;
import dev.cairn.nix.StorePath;
import dev.cairn.store.PathInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code cairn mount DIR} as its own process: serves a stored path, unmounts on SIGTERM. */
class MountCommandTest {
  @Test
  void mountServesStoredPathAndUnmountsOnSigterm() throws Exception {
    Path blobs = Files.createTempDirectory("cairn-mount-blobs-");
    try (CastoreFixture fixture = CastoreFixture.create(Dialect.SQLITE, new ChunkStoreLocation.Files(blobs), 0)) {
      Path tree = Files.createTempDirectory("cairn-mount-src-");
      Files.createDirectories(tree.resolve("bin"));
      byte[] data = new byte[3 * 1024 * 1024];
      new Random(11).nextBytes(data);
      Files.write(tree.resolve("bin/data"), data);
      NarIngester.Result nar = fixture.ingester.ingest(tree);
      StorePath path = StorePath.parseBaseName("0c6kzph7l0dcbfmjap64f0czdafn3b7x-hello-1.0");
      TestDatabase.await(fixture.store.pathInfos().put(PathInfo.withUnresolvedReferences(path,
          nar.root().withName(PathComponent.of(path.baseName())), nar.narSize(), nar.narSha256(), List.of(),
          Optional.empty(), Optional.empty(), List.of())));

      Path mountPoint = Files.createTempDirectory("cairn-mount-");
      Path log = Files.createTempFile("cairn-mount-", ".log");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), "dev.cairn.server.Main", "mount", mountPoint.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("CAIRN_"));
      pb.environment().put("CAIRN_DATA_DIR", fixture.database.dataDir().toString());
      pb.environment().put("CAIRN_DATABASE_URL", fixture.database.url());
      pb.environment().put("CAIRN_CASTORE_BLOB_STORE", blobs.toUri().toString());
      Process p = pb.start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!FuseMount.isMounted(mountPoint) && p.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertTrue(FuseMount.isMounted(mountPoint), Files.readString(log));
        assertEquals(path.baseName(), Sh.ok("ls", mountPoint.toString()).trim());
        String expected = Sh.ok("sha256sum", tree.resolve("bin/data").toString()).split(" ")[0];
        assertEquals(expected, Sh.ok("sha256sum", mountPoint.resolve(path.baseName() + "/bin/data").toString()).split(" ")[0]);
      } finally {
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "cairn mount exits on SIGTERM");
        if (FuseMount.isMounted(mountPoint)) {
          FuseMount.unmountLazily(mountPoint);
        }
      }
      assertFalse(FuseMount.isMounted(mountPoint), "unmounted on SIGTERM: " + Files.readString(log));
    }
  }
}
