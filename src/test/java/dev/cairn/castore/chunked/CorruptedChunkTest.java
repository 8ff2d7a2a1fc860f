package dev.cairn.castore.chunked;

import static dev.cairn.db.TestDatabase.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobCorruptedException;
import dev.cairn.castore.CastoreFixture;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.FileNode;
import dev.cairn.castore.Node;
import dev.cairn.castore.VerifyReads;
import dev.cairn.castore.chunks.ChunkCodec;
import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.castore.chunks.FileChunkStore;
import dev.cairn.db.Dialect;
import dev.cairn.nix.NarWriter;
import dev.cairn.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A chunk file changed on disk is never served, whichever {@code castore.verify_reads}: the
 * rendering fails with {@link BlobCorruptedException} and every byte it wrote before is the
 * archive's; the bad chunk is deleted, and ingesting the same content again repairs the blob.
 * Under {@code once}, a chunk trusted since its first read is hashed again when its file was
 * written to, and the scrub finds and deletes a corrupted chunk no reader asked for.
 */
class CorruptedChunkTest {
  @TempDir
  Path tmp;

  private Path tree() throws Exception {
    Path t = tmp.resolve("t");
    Files.createDirectories(t.resolve("lib"));
    Files.writeString(t.resolve("a-small"), "small\n");
    byte[] big = new byte[3 << 20];
    new Random(11).nextBytes(big);
    Files.write(t.resolve("big"), big);
    Files.writeString(t.resolve("z-after"), "after\n");
    return t;
  }

  private static CastoreFixture fixture(Path blobs, VerifyReads mode) throws Exception {
    return CastoreFixture.create(Dialect.SQLITE, new ChunkStoreLocation.Files(blobs), 0, new StoreConfig.Reads(mode, Optional.empty()));
  }

  @ParameterizedTest
  @EnumSource(VerifyReads.class)
  void aChunkFileWrittenToOnDiskFailsTheRenderingAndIsRepairedByUploadingAgain(VerifyReads mode) throws Exception {
    Path t = tree();
    byte[] nar = nar(t);
    try (CastoreFixture f = fixture(Files.createTempDirectory("cairn-corrupt-"), mode)) {
      Node root = f.ingester.ingest(t).root();
      assertArrayEquals(nar, render(f, root)); // read and verified once: trusted under `once`
      assertArrayEquals(nar, render(f, root)); // trusted, into chunk arrays the first render gave back
      Path chunk = flipAByteOfABigFileChunk(f, root);

      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BlobCorruptedException e = assertThrows(BlobCorruptedException.class, () -> f.renderer.render(root, out));
      assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
      byte[] served = out.toByteArray();
      assertTrue(served.length < nar.length);
      assertArrayEquals(Arrays.copyOf(nar, served.length), served, "a byte served before the failure differs");
      assertFalse(Files.exists(chunk), "the corrupted chunk is deleted");

      f.ingester.ingest(t);
      assertArrayEquals(nar, render(f, root));
    }
  }

  @ParameterizedTest
  @EnumSource(VerifyReads.class)
  void aChunkReadOnTheCallingThreadIsVerifiedAndACorruptedOneIsDeleted(VerifyReads mode) throws Exception {
    Path t = tree();
    byte[] big = Files.readAllBytes(t.resolve("big"));
    try (CastoreFixture f = fixture(Files.createTempDirectory("cairn-corrupt-blocking-"), mode)) {
      Node root = f.ingester.ingest(t).root();
      FileNode node = bigFile(f, root);
      List<ChunkMeta> chunks = await(f.blobs.stat(node.digest())).orElseThrow().chunks();
      ByteBuffer second = f.blobs.readChunkBlocking(node.digest(), chunks.get(1)).orElseThrow();
      int start = (int) chunks.get(0).size();
      assertEquals(ByteBuffer.wrap(big, start, (int) chunks.get(1).size()), second);

      Path chunk = flipAByteOfABigFileChunk(f, root);
      BlobCorruptedException e = assertThrows(BlobCorruptedException.class,
          () -> f.blobs.readChunkBlocking(node.digest(), chunks.get(1)));
      assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
      assertFalse(Files.exists(chunk), "the corrupted chunk is deleted");
      assertEquals(Optional.empty(), f.blobs.readChunkBlocking(node.digest(), chunks.get(1)));
    }
  }

  @Test
  void theScrubDeletesACorruptedChunkNoReaderAskedFor() throws Exception {
    Path t = tree();
    byte[] nar = nar(t);
    try (CastoreFixture f = fixture(Files.createTempDirectory("cairn-scrub-"), VerifyReads.ONCE)) {
      Node root = f.ingester.ingest(t).root();
      ChunkScrub scrub = ((ChunkedBlobService) f.blobs).scrub();
      ChunkScrub.Report sound = await(scrub.run());
      assertEquals(0, sound.corrupted());
      assertTrue(sound.chunks() >= 5, sound.toString());

      Path chunk = flipAByteOfABigFileChunk(f, root);
      ChunkScrub.Report found = await(scrub.run());
      assertEquals(new ChunkScrub.Report(sound.chunks(), 1), found);
      assertFalse(Files.exists(chunk));
      BlobCorruptedException e = assertThrows(BlobCorruptedException.class, () -> f.renderer.render(root, new ByteArrayOutputStream()));
      assertTrue(e.getMessage().contains("missing"), e.getMessage());

      f.ingester.ingest(t);
      assertEquals(new ChunkScrub.Report(sound.chunks(), 0), await(scrub.run()));
      assertArrayEquals(nar, render(f, root));
    }
  }

  /** Flips one byte in the middle of the second chunk of {@code big}, as an in-place write would. */
  private static FileNode bigFile(CastoreFixture f, Node root) throws Exception {
    return (FileNode) f.directories.get(((dev.cairn.castore.DirectoryNode) root).digest())
        .toCompletionStage().toCompletableFuture().get().orElseThrow().nodes().stream()
        .filter(n -> n.name().toString().equals("big")).findFirst().orElseThrow();
  }

  private static Path flipAByteOfABigFileChunk(CastoreFixture f, Node root) throws Exception {
    FileNode big = bigFile(f, root);
    List<ChunkMeta> chunks = await(f.blobs.stat(big.digest())).orElseThrow().chunks();
    assertTrue(chunks.size() >= 3, "big has " + chunks.size() + " chunks");
    B3Digest digest = chunks.get(1).digest();
    Path file = ((FileChunkStore) f.chunks).root().resolve("chunks").resolve(digest.hex().substring(0, 2)).resolve(digest.hex());
    // File times have the kernel clock's granularity: let it tick, as it has for any real change.
    Thread.sleep(20);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      long at = ChunkCodec.HEADER + chunks.get(1).size() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x40);
    }
    return file;
  }

  private static byte[] render(CastoreFixture f, Node root) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    f.renderer.render(root, out);
    return out.toByteArray();
  }

  private static byte[] nar(Path tree) throws Exception {
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(tree, nar);
    return nar.toByteArray();
  }
}
