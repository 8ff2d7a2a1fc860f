package dev.cairn.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTreeTest {
  @TempDir
  Path dir;

  @Test
  void defaultsServeOnLoopback8080WithSqliteUnderData() {
    ServerConfig c = ServerConfig.from(ConfigTree.load(null, Map.of()));
    assertEquals("127.0.0.1", c.host());
    assertEquals(8080, c.port());
    assertEquals(Path.of("./data"), c.dataDir());
    assertTrue(!c.usesPostgres());
    assertEquals(Path.of("./data/cairn.db"), c.sqliteFile());
  }

  @Test
  void environmentOverridesFileAndDefaults() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "http:\n  port: 9000\ndata_dir: /srv/cairn\n");
    ServerConfig c = ServerConfig.from(ConfigTree.load(file, Map.of("CAIRN_HTTP_PORT", "9100",
        "CAIRN_DATABASE_URL", "postgresql://cairn@db:5432/cairn")));
    assertEquals(9100, c.port());
    assertEquals(Path.of("/srv/cairn"), c.dataDir());
    assertEquals("postgresql://cairn@db:5432/cairn", c.databaseUrl());
  }

  @Test
  void configEnvironmentVariablePicksTheFile() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "http:\n  host: 0.0.0.0\n");
    assertEquals("0.0.0.0", ServerConfig.from(ConfigTree.load(null, Map.of("CAIRN_CONFIG", file.toString()))).host());
  }

  @Test
  void rejectsUnknownKeyNamingIt() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "http:\n  prot: 1\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of()));
    assertEquals("http.prot: unknown key", e.getMessage());
  }

  @Test
  void rejectsBadPortNamingTheSetting() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ServerConfig.from(ConfigTree.load(null, Map.of("CAIRN_HTTP_PORT", "99999"))));
    assertEquals("http.port", e.key());
    assertTrue(e.getMessage().contains("0..65535"), e.getMessage());
  }

  @Test
  void rejectsDatabaseUrlOfAnotherScheme() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ServerConfig.from(ConfigTree.load(null, Map.of("CAIRN_DATABASE_URL", "mysql://x@y/z"))));
    assertEquals("database.url", e.key());
  }

  @Test
  void rejectsMappingWhereValueExpected() throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, "data_dir:\n  a: b\n");
    assertEquals("data_dir", assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of())).key());
  }

  @Test
  void rejectsMissingConfigFile() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigTree.load(dir.resolve("nope.yaml"), Map.of()));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void everyKeyHasAnEnvironmentName() {
    assertTrue(ConfigTree.defaults().leafKeys().stream().map(ConfigTree::envName).toList()
        .containsAll(java.util.List.of("CAIRN_HTTP_HOST", "CAIRN_HTTP_PORT", "CAIRN_DATA_DIR", "CAIRN_DATABASE_URL")));
  }
}
