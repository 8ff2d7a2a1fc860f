package dev.cairn.castore;

import dev.cairn.castore.chunks.ChunkStoreLocation;
import dev.cairn.castore.chunks.S3ChunkStore;
import dev.cairn.castore.chunks.S3Server;
import dev.cairn.db.Dialect;
import java.nio.file.Files;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * One combination the blob contract runs on: a metadata database dialect and a chunk store
 * backend. Add a backend here and every contract test runs on it.
 */
public record BlobBackend(String name, Dialect dialect, Callable<ChunkStoreLocation> location) {
  @Override
  public String toString() {
    return name + "/" + dialect.name().toLowerCase();
  }

  public CastoreFixture fixture(int zstdLevel) throws Exception {
    return CastoreFixture.create(dialect, location.call(), zstdLevel);
  }

  public static Stream<BlobBackend> all() {
    Callable<ChunkStoreLocation> files = () -> new ChunkStoreLocation.Files(Files.createTempDirectory("cairn-chunks-"));
    // A bucket of its own per fixture on the JVM's shared s3proxy.
    Callable<ChunkStoreLocation> s3 = () -> {
      S3Server server = S3Server.shared();
      return new ChunkStoreLocation.S3(
          server.location(server.createBucket(), "blobs"), S3ChunkStore.Options.DEFAULT, S3Server.credentials());
    };
    return Stream.of(Dialect.values())
        .flatMap(d -> Stream.of(new BlobBackend("files", d, files), new BlobBackend("s3", d, s3)));
  }
}
