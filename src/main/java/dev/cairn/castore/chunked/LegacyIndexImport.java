package dev.cairn.castore.chunked;

import dev.cairn.castore.B3Digest;
import dev.cairn.castore.Blake3Hasher;
import dev.cairn.castore.ChunkMeta;
import dev.cairn.castore.chunks.ChunkCodec;
import dev.cairn.db.Database;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Moves the blob index of Cairn's first file layout into the database, once. That layout kept
 * chunk files under {@code <root>/chunks/ab/<hex>} (unchanged: {@link dev.cairn.castore.chunks.FileChunkStore}
 * reads them as they are) and one text index per multi-chunk blob under {@code <root>/blobs/ab/<hex>}
 * (magic line, {@code size N}, one {@code <chunk hex> <size>} line per chunk, and a BLAKE3
 * {@code check} line). Every chunk file was also a blob of its own digest, so each becomes a
 * one-chunk blob; each index becomes a multi-chunk blob. The old index directory is deleted
 * when everything is committed, so a crash during the import repeats it (inserts are idempotent).
 */
final class LegacyIndexImport {
  private static final Logger LOG = Logger.getLogger("cairn.castore");
  private static final String MAGIC = "cairn-blob-index 1";

  private record Blob(B3Digest digest, long size, List<ChunkMeta> chunks) {}

  private LegacyIndexImport() {}

  static Future<Void> runIfPresent(WorkerExecutor io, Database db, Path root) {
    Path indexes = root.resolve("blobs");
    if (!Files.isDirectory(indexes)) {
      return Future.succeededFuture();
    }
    BlobIndex index = new BlobIndex(db);
    return io.executeBlocking(() -> read(root), false).compose(blobs -> {
      Future<Void> all = Future.succeededFuture();
      for (Blob b : blobs) {
        // These chunks were stored long ago, not by an upload in flight: only a collection
        // deleting them right now (a tombstone not yet finished) may refuse them.
        all = all.compose(v -> index.commit(b.digest(), b.size(), b.chunks(), Long.MAX_VALUE));
      }
      return all.compose(v -> io.executeBlocking(() -> {
        deleteTree(indexes);
        LOG.info("imported " + blobs.size() + " blobs of the first file layout under " + root + " into the database");
        return null;
      }, false));
    });
  }

  private static List<Blob> read(Path root) throws IOException {
    List<Blob> blobs = new ArrayList<>();
    Path chunkDir = root.resolve("chunks");
    if (Files.isDirectory(chunkDir)) {
      try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(chunkDir)) {
        for (Path prefix : prefixes) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
            for (Path f : files) {
              B3Digest digest = B3Digest.fromHex(f.getFileName().toString());
              byte[] header = new byte[ChunkCodec.HEADER];
              try (InputStream in = Files.newInputStream(f)) {
                if (in.readNBytes(header, 0, header.length) < header.length) {
                  LOG.warning("skipping truncated chunk file " + f);
                  continue;
                }
              }
              int size = ChunkCodec.rawLength(digest, header);
              blobs.add(new Blob(digest, size, List.of(new ChunkMeta(digest, size))));
            }
          }
        }
      }
    }
    try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(root.resolve("blobs"))) {
      for (Path prefix : prefixes) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
          for (Path f : files) {
            blobs.add(parseIndex(B3Digest.fromHex(f.getFileName().toString()), Files.readAllBytes(f), f));
          }
        }
      }
    }
    return blobs;
  }

  private static Blob parseIndex(B3Digest blob, byte[] bytes, Path file) throws IOException {
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int checkAt = text.lastIndexOf("check ");
    if (!text.startsWith(MAGIC + "\n") || checkAt < 0 || !text.endsWith("\n")) {
      throw new IOException("blob index " + file + " is not in the first layout's format");
    }
    String expected = text.substring(checkAt + "check ".length(), text.length() - 1);
    String actual = Blake3Hasher.hash(text.substring(0, checkAt).getBytes(StandardCharsets.US_ASCII)).hex();
    if (!actual.equals(expected)) {
      throw new IOException("blob index " + file + " fails its checksum");
    }
    String[] lines = text.substring(0, checkAt).split("\n");
    long size = Long.parseLong(lines[1].substring("size ".length()));
    List<ChunkMeta> chunks = new ArrayList<>();
    for (int i = 2; i < lines.length; i++) {
      int space = lines[i].indexOf(' ');
      chunks.add(new ChunkMeta(B3Digest.fromHex(lines[i].substring(0, space)), Long.parseLong(lines[i].substring(space + 1))));
    }
    return new Blob(blob, size, chunks);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
