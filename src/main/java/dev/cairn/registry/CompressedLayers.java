package dev.cairn.registry;

import dev.cairn.castore.Buffers;
import dev.cairn.castore.Await;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobWriter;
import dev.cairn.nix.StorePath;
import dev.cairn.registry.RegistryIndex.CompressedLayer;
import dev.cairn.registry.RegistryIndex.StoredLayer;
import dev.cairn.store.PathInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Renders store layers to learn what a manifest promises about them: the digest and size of the
 * tar and, under {@code registry.layer_compression}, its compressed rendering, made in the same
 * pass into a castore blob (indexed by V022 so Range reads it back). Blocking: run on the NAR pool.
 */
final class CompressedLayers {
  private static final int PIECE = 256 << 10;

  private final BlobService blobs;
  private final LayerRecipe recipe;
  private final LayerCompression compression;

  /** A layer rendered: its tar, and its compressed blob unless the compression is none. */
  record Made(StoredLayer layer, Optional<CompressedLayer> compressed) {}

  CompressedLayers(BlobService blobs, LayerRecipe recipe, LayerCompression compression) {
    this.blobs = blobs;
    this.recipe = recipe;
    this.compression = compression;
  }

  LayerCompression compression() {
    return compression;
  }

  /** The customisation layer's bytes as served. */
  byte[] document(byte[] tar) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(tar.length / 2 + 64);
    try (OutputStream compressed = compression.wrap(out)) {
      compressed.write(tar);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Blocking: renders the layer of {@code paths} once, hashing the tar and compressing it into a
   * blob on the way. With {@code promised} (a layer indexed before, now wanting its compressed
   * rendering), the tar must hash to the promised digest, or nothing is kept.
   */
  Made make(String key, List<PathInfo> paths, Optional<StoredLayer> promised) throws IOException {
    List<StorePath> sorted = paths.stream().map(PathInfo::storePath).sorted(Comparator.naturalOrder()).toList();
    if (compression == LayerCompression.NONE) {
      HashingOutput tar = new HashingOutput();
      recipe.render(paths, tar);
      return new Made(checked(new StoredLayer(key, tar.oci(), tar.count, sorted), promised), Optional.empty());
    }
    BlobWriter writer = blobs.put();
    try {
      HashingOutput compressed = new HashingOutput(new BlobOutput(writer));
      HashingOutput tar = new HashingOutput(compression.wrap(compressed));
      recipe.render(paths, tar);
      tar.close();
      StoredLayer layer = checked(new StoredLayer(key, tar.oci(), tar.count, sorted), promised);
      B3Digest stored = Await.result(writer.close());
      return new Made(layer, Optional.of(new CompressedLayer(key, compression, compressed.oci(), compressed.count, stored)));
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
  }

  private static StoredLayer checked(StoredLayer made, Optional<StoredLayer> promised) throws IOException {
    if (promised.isPresent() && (made.size() != promised.get().size() || !made.digest().equals(promised.get().digest()))) {
      throw new IOException("layer " + promised.get().digest() + " rendered to " + made.digest() + " (" + made.size() + " bytes): store content changed");
    }
    return made;
  }

  /** Writes to a blob upload in pieces, waiting for each (from a worker thread). */
  private static final class BlobOutput extends OutputStream {
    private final BlobWriter writer;
    private final byte[] piece = new byte[PIECE];
    private int filled;

    BlobOutput(BlobWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      while (len > 0) {
        int n = Math.min(len, PIECE - filled);
        System.arraycopy(b, off, piece, filled, n);
        filled += n;
        off += n;
        len -= n;
        if (filled == PIECE) {
          flush();
        }
      }
    }

    @Override
    public void flush() throws IOException {
      if (filled > 0) {
        Await.result(writer.write(Buffers.wrap(java.util.Arrays.copyOf(piece, filled))));
        filled = 0;
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
