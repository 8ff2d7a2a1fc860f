package dev.cairn.registry;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * How layers are served ({@code registry.layer_compression}). Compressor settings are fixed
 * (gzip: deflate level 6, no name, mtime 0; zstd: level 3, one thread) so one tar always gives
 * the same compressed bytes on one build of Cairn; the bytes are made once and kept anyway.
 */
enum LayerCompression {
  NONE(ImageDocuments.OCI_LAYER, ImageDocuments.DOCKER_LAYER),
  GZIP(ImageDocuments.OCI_LAYER + "+gzip", ImageDocuments.DOCKER_LAYER + ".gzip"),
  /** Docker schema 2 has no zstd layer type: both renderings list the OCI one (containerd and podman take it). */
  ZSTD(ImageDocuments.OCI_LAYER + "+zstd", ImageDocuments.OCI_LAYER + "+zstd");

  private static final int GZIP_LEVEL = 6;
  private static final int ZSTD_LEVEL = 3;

  final String ociType;
  final String dockerType;

  LayerCompression(String ociType, String dockerType) {
    this.ociType = ociType;
    this.dockerType = dockerType;
  }

  /** A stream that compresses into {@code out}; closing it finishes the format and closes {@code out}. */
  OutputStream wrap(OutputStream out) throws IOException {
    return switch (this) {
      case NONE -> out;
      case GZIP -> new GZIPOutputStream(out, 64 << 10) {
        {
          def.setLevel(GZIP_LEVEL);
          def.setStrategy(Deflater.DEFAULT_STRATEGY);
        }
      };
      case ZSTD -> new ZstdOutputStream(out, ZSTD_LEVEL);
    };
  }

  /** The column value of {@code registry_compressed_layers.compression}. */
  String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
