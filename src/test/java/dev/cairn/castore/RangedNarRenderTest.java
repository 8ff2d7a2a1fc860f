package dev.cairn.castore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.db.Dialect;
import dev.cairn.nix.NarWriter;
import io.vertx.core.Future;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rendering that starts at an offset gives exactly the archive's bytes from there on, for
 * offsets in headers, names, padding, file contents and at the end, and reads no blob that lies
 * wholly before the offset; {@link NarLayout} sizes agree with what is rendered.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RangedNarRenderTest {
  private CastoreFixture fixture;
  private final byte[] big = new byte[300_001];

  @TempDir
  Path tmp;

  @BeforeAll
  void open() throws Exception {
    fixture = CastoreFixture.create(Dialect.SQLITE);
  }

  @AfterAll
  void close() throws Exception {
    fixture.close();
  }

  private Path tree() throws Exception {
    Path t = Files.createDirectories(tmp.resolve("t/lib/deeper"));
    Files.createDirectories(tmp.resolve("t/empty"));
    Files.writeString(tmp.resolve("t/README"), "hello\n");
    Files.write(tmp.resolve("t/empty-file"), new byte[0]);
    Path exe = Files.writeString(tmp.resolve("t/lib/tool"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
    new Random(7).nextBytes(big);
    Files.write(t.resolve("big.bin"), big);
    Files.writeString(t.resolve("zz-last"), "the last file");
    Files.createSymbolicLink(tmp.resolve("t/link"), Path.of("lib/tool"));
    return tmp.resolve("t");
  }

  @Test
  void everyOffsetRendersTheRestOfTheArchive() throws Exception {
    Path t = tree();
    byte[] whole = nar(t);
    Node root = fixture.ingester.ingest(t).root();
    assertEquals(whole.length, layout(root).narSize(root));

    // Every offset outside the big file's contents, and a few inside it.
    List<Long> offsets = new ArrayList<>();
    for (long o = 0; o < whole.length; o++) {
      if (o < 1500 || o > whole.length - 1500 || o % 49_999 == 0) {
        offsets.add(o);
      }
    }
    for (long from : offsets) {
      assertRendersFrom(root, whole, from);
    }
  }

  @Test
  void aSingleFileArchiveRendersFromAnyOffset() throws Exception {
    Path f = Files.writeString(tmp.resolve("single"), "x".repeat(1000));
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
    byte[] whole = nar(f);
    Node root = fixture.ingester.ingest(f).root();
    assertEquals(whole.length, layout(root).narSize(root));
    for (long from = 0; from < whole.length; from++) {
      assertRendersFrom(root, whole, from);
    }
  }

  @Test
  void blobsBeforeTheOffsetAreNotRead() throws Exception {
    Path t = tree();
    byte[] whole = nar(t);
    Node root = fixture.ingester.ingest(t).root();
    List<String> opened = new ArrayList<>();
    BlobService recording = new BlobService() {
      @Override
      public Future<Optional<BlobStat>> stat(B3Digest digest) {
        return fixture.blobs.stat(digest);
      }

      @Override
      public Future<Optional<BlobReader>> open(B3Digest digest, long offset, long length) {
        opened.add(digest + "@" + offset);
        return fixture.blobs.open(digest, offset, length);
      }

      @Override
      public Optional<java.nio.ByteBuffer> readChunkBlocking(B3Digest blob, ChunkMeta chunk) throws java.io.IOException {
        return fixture.blobs.readChunkBlocking(blob, chunk);
      }

      @Override
      public BlobWriter put() {
        return fixture.blobs.put();
      }
    };
    NarRenderer renderer = new NarRenderer(recording, fixture.directories);
    // Resume inside lib/deeper/big.bin: it is opened at the offset, then only what follows it
    // (lib/deeper/zz-last, lib/tool); README and empty-file before it are never opened.
    int bigStart = indexOf(whole, Arrays.copyOf(big, 32));
    int from = bigStart + 200_000;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    renderer.render(root, out, from);
    assertArrayEquals(Arrays.copyOfRange(whole, from, whole.length), out.toByteArray());
    assertEquals(3, opened.size(), opened.toString());
    assertTrue(opened.get(0).endsWith("@200000"), opened.toString());
    assertTrue(opened.get(1).endsWith("@0") && opened.get(2).endsWith("@0"), opened.toString());
  }

  private static byte[] nar(Path tree) throws Exception {
    ByteArrayOutputStream nar = new ByteArrayOutputStream();
    NarWriter.dump(tree, nar);
    return nar.toByteArray();
  }

  private void assertRendersFrom(Node root, byte[] whole, long from) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    fixture.renderer.render(root, out, from);
    assertArrayEquals(Arrays.copyOfRange(whole, (int) from, whole.length), out.toByteArray(), "from " + from);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("not found");
  }

  private NarLayout layout(Node root) throws Exception {
    return Await.result(NarLayout.load(fixture.directories, root));
  }
}
