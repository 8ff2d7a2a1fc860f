package dev.cairn.castore.chunked;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.BlobReader;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.DirectoryNode;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.VerifyReads;
import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.db.Dialect;
import dev.cairn.nix.NarWriter;
import dev.cairn.store.StoreConfig;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Renders read chunks into arrays that earlier renders gave back; a piece handed out by
 * {@link BlobReader#read} (which its consumer may keep, as gRPC does) is never among them.
 */
class RecycledChunkArraysTest {
  @TempDir
  Path tmp;

  @ParameterizedTest
  @EnumSource(VerifyReads.class)
  void rendersReusingChunkArraysNeverOverwriteAPieceAConsumerKept(VerifyReads mode) throws Exception {
    Path t = tmp.resolve("t");
    Files.createDirectories(t);
    Random random = new Random(5);
    byte[] kept = new byte[3 << 20];
    random.nextBytes(kept);
    Files.write(t.resolve("kept"), kept);
    for (int i = 0; i < 4; i++) {
      byte[] other = new byte[(1 << 20) + i * 77_777];
      random.nextBytes(other);
      Files.write(t.resolve("other-" + i), other);
    }
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(t, nar);
    try (CastoreFixture f = CastoreFixture.create(Dialect.SQLITE, new ChunkStoreLocation.Files(Files.createTempDirectory("cairn-recycle-")), 0,
        new StoreConfig.Reads(mode, Optional.empty()))) {
      Node root = f.ingester.ingest(t).root();
      FileNode file = (FileNode) await(f.directories.get(((DirectoryNode) root).digest())).orElseThrow().nodes().stream()
          .filter(n -> n.name().toString().equals("kept")).findFirst().orElseThrow();

      List<Buffer> pieces = new ArrayList<>();
      BlobReader reader = await(f.blobs.open(file.digest())).orElseThrow();
      while (reader.remaining() > 0) {
        pieces.add(await(reader.read(100_000)));
      }
      reader.close();
      assertTrue(pieces.size() > 10);

      for (int i = 0; i < 3; i++) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        f.renderer.render(root, out);
        assertArrayEquals(nar.toByteArray(), out.toByteArray(), "render " + i);
      }
      Buffer all = Buffer.buffer();
      pieces.forEach(all::appendBuffer);
      assertArrayEquals(kept, all.getBytes(), "a piece kept by its consumer changed");
    }
  }
}
