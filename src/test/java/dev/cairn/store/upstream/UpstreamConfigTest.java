package dev.cairn.store.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.server.config.ConfigException;
import dev.cairn.server.config.ConfigTree;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cache.upstreams} as a YAML list in a config file or as YAML text in the environment. */
class UpstreamConfigTest {
  private static final String NIXOS = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=";

  @TempDir
  Path dir;

  @Test
  void noUpstreamsByDefault() {
    UpstreamConfig c = UpstreamConfig.from(ConfigTree.load(null, Map.of()));
    assertTrue(!c.enabled());
    assertEquals(Duration.ofSeconds(30), c.timeout());
    assertEquals(8, c.maxConcurrentFetches());
    assertEquals(Duration.ofMinutes(1), c.negativeTtl());
  }

  @Test
  void readsUpstreamsInOrderFromTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("c.yaml"), """
        cache:
          upstreams:
            - url: https://cache.nixos.org
              trusted_public_keys: [ "%s" ]
            - url: http://10.0.0.1:8080/sub
              trusted_public_keys: "%s"
          upstream_timeout: 5s
        """.formatted(NIXOS, NIXOS));
    UpstreamConfig c = UpstreamConfig.from(ConfigTree.load(file, Map.of()));
    assertEquals(2, c.upstreams().size());
    assertEquals(URI.create("https://cache.nixos.org/"), c.upstreams().get(0).base());
    assertEquals(URI.create("http://10.0.0.1:8080/sub/x.narinfo"), c.upstreams().get(1).resolve("x.narinfo"));
    assertEquals("cache.nixos.org-1", c.upstreams().get(1).trustedKeys().get(0).name());
    assertEquals(Duration.ofSeconds(5), c.timeout());
  }

  @Test
  void readsUpstreamsFromTheEnvironmentAsYamlText() {
    UpstreamConfig c = UpstreamConfig.from(ConfigTree.load(null, Map.of("CAIRN_CACHE_UPSTREAMS",
        "[{url: \"http://127.0.0.1:9\", trusted_public_keys: [\"" + NIXOS + "\"]}]")));
    assertEquals(URI.create("http://127.0.0.1:9/"), c.upstreams().get(0).base());
  }

  @Test
  void refusesMalformedUpstreamsNamingTheKey() throws Exception {
    assertEquals("cache.upstreams[0].trusted_public_keys", refused("[{url: \"http://h\"}]").key());
    assertEquals("cache.upstreams[0].url", refused("[{url: \"ftp://h\", trusted_public_keys: [\"" + NIXOS + "\"]}]").key());
    assertEquals("cache.upstreams[0].trusted_public_keys", refused("[{url: \"http://h\", trusted_public_keys: [\"nokey\"]}]").key());
    assertEquals("cache.upstreams[0].urls", refused("[{urls: \"http://h\"}]").key());
    assertEquals("cache.upstreams", refused("{url: x}").key());
    Path file = Files.writeString(dir.resolve("c.yaml"), "cache:\n  upstreams: http://h\n");
    assertEquals("cache.upstreams", assertThrows(ConfigException.class, () -> ConfigTree.load(file, Map.of())).key());
  }

  private static ConfigException refused(String env) {
    return assertThrows(ConfigException.class, () -> UpstreamConfig.from(ConfigTree.load(null, Map.of("CAIRN_CACHE_UPSTREAMS", env))));
  }
}
