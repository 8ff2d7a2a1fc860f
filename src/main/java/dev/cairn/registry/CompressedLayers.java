package dev.cairn.registry;

import dev.cairn.castore.Await;
import dev.cairn.castore.B3Digest;
import dev.cairn.castore.BlobService;
import dev.cairn.castore.BlobWriter;
import dev.cairn.registry.RegistryIndex.CompressedLayer;
import dev.cairn.registry.RegistryIndex.StoredLayer;
import dev.cairn.store.PathInfo;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/**
 * Compressed renderings of layers ({@code registry.layer_compression}): a store layer's is made
 * once, on the NAR pool, from the same tar recipe (checked against the layer's promised digest,
 * which stays its diff_id) into a castore blob, and indexed (V022) so Range reads it back.
 */
final class CompressedLayers {
  private static final int PIECE = 256 << 10;

  private final BlobService blobs;
  private final RegistryIndex index;
  private final LayerRecipe recipe;
  private final WorkerExecutor pool;
  private final LayerCompression compression;

  CompressedLayers(BlobService blobs, RegistryIndex index, LayerRecipe recipe, WorkerExecutor pool, LayerCompression compression) {
    this.blobs = blobs;
    this.index = index;
    this.recipe = recipe;
    this.pool = pool;
    this.compression = compression;
  }

  LayerCompression compression() {
    return compression;
  }

  /** The store layer as a manifest lists it, its compressed rendering made now if need be. */
  Future<ImageDocuments.LayerRef> ref(StoredLayer layer, List<PathInfo> paths) {
    if (compression == LayerCompression.NONE) {
      return Future.succeededFuture(new ImageDocuments.LayerRef(layer.digest(), layer.digest(), layer.size()));
    }
    return index.compressed(layer.key(), compression).compose(known -> known.isPresent() ? Future.succeededFuture(known.get())
        : pool.executeBlocking(() -> produce(layer, paths), false).compose(made -> index.putCompressed(made))
            .compose(v -> index.compressed(layer.key(), compression)).map(Optional::orElseThrow))
        .map(c -> new ImageDocuments.LayerRef(layer.digest(), c.digest(), c.size()));
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

  /** Blocking: renders, compresses and stores; the uncompressed bytes must hash to the layer's digest. */
  private CompressedLayer produce(StoredLayer layer, List<PathInfo> paths) throws IOException {
    BlobWriter writer = blobs.put();
    try {
      BlobOutput blob = new BlobOutput(writer);
      HashingOutput compressed = new HashingOutput(blob);
      HashingOutput tar = new HashingOutput(compression.wrap(compressed));
      recipe.render(paths, tar);
      tar.close();
      if (tar.count != layer.size() || !tar.oci().equals(layer.digest())) {
        throw new IOException("layer " + layer.digest() + " rendered to " + tar.oci() + " (" + tar.count + " bytes): store content changed");
      }
      B3Digest stored = Await.result(writer.close());
      return new CompressedLayer(layer.key(), compression, compressed.oci(), compressed.count, stored);
    } catch (IOException | RuntimeException e) {
      writer.abort();
      throw e;
    }
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
        Await.result(writer.write(Buffer.buffer(java.util.Arrays.copyOf(piece, filled))));
        filled = 0;
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
