package dev.cairn.castore;

import dev.cairn.castore.chunks.ChunkStoreLocation;
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
    return Stream.of(Dialect.values()).map(d -> new BlobBackend("files", d, files));
  }
}
