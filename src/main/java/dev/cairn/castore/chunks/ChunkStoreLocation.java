package dev.cairn.castore.chunks;

import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Where a {@link ChunkStore} keeps its bytes, parsed from a service URL like tvix's:
 * empty = files under the default directory, {@code file:///abs/dir}, or
 * {@code s3://bucket/prefix?endpoint=…&region=…&path_style=true}.
 */
public interface ChunkStoreLocation {
  /**
   * Opens the store, checking that it is usable (a directory that can be written, a bucket that
   * exists with credentials that work). {@code io} is the bounded pool for blocking I/O.
   */
  Future<ChunkStore> open(Vertx vertx, WorkerExecutor io);

  /** Local files under {@code dir}. */
  record Files(Path dir) implements ChunkStoreLocation {
    @Override
    public Future<ChunkStore> open(Vertx vertx, WorkerExecutor io) {
      return FileChunkStore.open(io, dir).map(s -> (ChunkStore) s);
    }
  }

  /**
   * Objects in an S3-compatible bucket ({@link S3ChunkStore}); {@code toString} is the
   * location's URL (never the credentials).
   */
  record S3(S3Location location, S3ChunkStore.Options options, AwsCredentialsProvider credentials)
      implements ChunkStoreLocation {
    @Override
    public Future<ChunkStore> open(Vertx vertx, WorkerExecutor io) {
      return S3ChunkStore.open(vertx, io, location, options, credentials).map(s -> (ChunkStore) s);
    }

    @Override
    public String toString() {
      return location.toString();
    }
  }

  /**
   * Parses a location; fails with {@link IllegalArgumentException} whose message states the
   * rule that {@code text} breaks.
   */
  static ChunkStoreLocation parse(String text, Path defaultDir) {
    String t = text.strip();
    if (t.isEmpty()) {
      return new Files(defaultDir);
    }
    URI uri;
    try {
      uri = new URI(t);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme();
    switch (scheme) {
      case "file" -> {
        if (uri.getPath() == null || !uri.getPath().startsWith("/") || uri.getQuery() != null
            || (uri.getAuthority() != null && !uri.getAuthority().isEmpty())) {
          throw new IllegalArgumentException("a file location is file:///absolute/dir, without host or query (got " + t + ")");
        }
        return new Files(Path.of(uri.getPath()));
      }
      case "s3" -> {
        try {
          return new S3(S3Location.parse(t), S3ChunkStore.Options.DEFAULT, S3ChunkStore.standardCredentials());
        } catch (ValidationException e) {
          throw new IllegalArgumentException(e.getMessage(), e);
        }
      }
      default -> throw new IllegalArgumentException(
          "must be empty (files under data_dir/blobs), file:///abs/dir or s3://bucket/prefix?endpoint=… (got scheme \"" + scheme + "\")");
    }
  }
}
