package dev.cairn.castore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The on-disk list of a multi-chunk blob's chunks, one small text file per blob:
 *
 * <pre>
 * cairn-blob-index 1
 * size 20971520
 * &lt;chunk hex&gt; &lt;chunk size&gt;
 * ...
 * check &lt;BLAKE3 hex of all lines above&gt;
 * </pre>
 *
 * The check line catches a damaged index; without it a flipped digest would serve other
 * (valid) chunks as this blob. Text keeps it inspectable; ~80 bytes per 256 KiB chunk.
 */
final class BlobIndex {
  private static final String MAGIC = "cairn-blob-index 1";

  private BlobIndex() {}

  static byte[] encode(long size, List<ChunkMeta> chunks) {
    StringBuilder body = new StringBuilder(MAGIC).append('\n');
    body.append("size ").append(size).append('\n');
    for (ChunkMeta c : chunks) {
      body.append(c.digest().hex()).append(' ').append(c.size()).append('\n');
    }
    byte[] bytes = body.toString().getBytes(StandardCharsets.US_ASCII);
    body.append("check ").append(Blake3Hasher.hash(bytes).hex()).append('\n');
    return body.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The stat of {@code blob} read from {@code file}. */
  static BlobStat read(Path file, B3Digest blob) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String text = new String(bytes, StandardCharsets.US_ASCII);
    int checkAt = text.lastIndexOf("check ");
    if (!text.startsWith(MAGIC + "\n") || checkAt < 0 || !text.endsWith("\n")) {
      throw corrupted(blob, file, "is not a blob index");
    }
    String expected = text.substring(checkAt + "check ".length(), text.length() - 1);
    String actual = Blake3Hasher.hash(text.substring(0, checkAt).getBytes(StandardCharsets.US_ASCII)).hex();
    if (!actual.equals(expected)) {
      throw corrupted(blob, file, "fails its checksum");
    }
    String[] lines = text.substring(0, checkAt).split("\n");
    try {
      if (!lines[1].startsWith("size ")) {
        throw corrupted(blob, file, "has no size line");
      }
      long size = Long.parseLong(lines[1].substring("size ".length()));
      List<ChunkMeta> chunks = new ArrayList<>(lines.length - 2);
      long sum = 0;
      for (int i = 2; i < lines.length; i++) {
        int space = lines[i].indexOf(' ');
        ChunkMeta c = new ChunkMeta(B3Digest.fromHex(lines[i].substring(0, space)),
            Long.parseLong(lines[i].substring(space + 1)));
        sum += c.size();
        chunks.add(c);
      }
      if (sum != size || chunks.size() < 2) {
        throw corrupted(blob, file, "lists chunks that do not add up to its size");
      }
      return new BlobStat(size, chunks);
    } catch (RuntimeException e) {
      if (e instanceof BlobCorruptedException b) {
        throw b;
      }
      throw new BlobCorruptedException("index of blob " + blob + " at " + file + " is malformed", e);
    }
  }

  private static BlobCorruptedException corrupted(B3Digest blob, Path file, String what) {
    return new BlobCorruptedException("index of blob " + blob + " at " + file + " " + what);
  }
}
