package dev.cairn.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.server.config.ConfigException;
import dev.cairn.server.config.ConfigTree;
import dev.cairn.server.config.ServerConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
  static StoreConfig load(Map<String, String> env) {
    Map<String, String> all = new HashMap<>(env);
    all.put("CAIRN_DATA_DIR", "/tmp/cairn-store-config-test");
    ConfigTree tree = ConfigTree.load(null, all);
    return StoreConfig.from(tree, ServerConfig.from(tree));
  }

  @Test
  void chunkPutsPerUploadDefaultsToFourOnFilesAndSixteenOnS3() {
    assertEquals(4, load(Map.of()).chunkPutsPerUpload());
    assertEquals(16, load(Map.of("CAIRN_CASTORE_BLOB_STORE", "s3://bucket/prefix?endpoint=http://127.0.0.1:9&region=us-east-1"))
        .chunkPutsPerUpload());
  }

  @Test
  void chunkPutsPerUploadTakesANumberAndRejectsOthersNamingTheKey() {
    assertEquals(12, load(Map.of("CAIRN_CASTORE_CHUNK_PUTS_PER_UPLOAD", "12")).chunkPutsPerUpload());
    ConfigException e = assertThrows(ConfigException.class, () -> load(Map.of("CAIRN_CASTORE_CHUNK_PUTS_PER_UPLOAD", "many")));
    assertTrue(e.getMessage().contains("castore.chunk_puts_per_upload"), e.getMessage());
  }
}
