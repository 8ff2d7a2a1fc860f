package dev.cairn.store.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.server.config.ConfigException;
import dev.cairn.server.config.ConfigTree;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GcConfigTest {
  @Test
  void scheduledCollectionIsOffByDefaultWithAnHourOfGrace() {
    GcConfig c = GcConfig.from(ConfigTree.load(null, Map.of()));
    assertEquals(Optional.empty(), c.interval());
    assertEquals(Duration.ofHours(1), c.grace());
  }

  @Test
  void intervalAndGraceComeFromTheEnvironment() {
    GcConfig c = GcConfig.from(ConfigTree.load(null, Map.of("CAIRN_CASTORE_GC_INTERVAL", "6h", "CAIRN_CASTORE_GC_GRACE", "1h30m")));
    assertEquals(Optional.of(Duration.ofHours(6)), c.interval());
    assertEquals(Duration.ofMinutes(90), c.grace());
  }

  @Test
  void durationsHaveOneSyntax() {
    assertEquals(Duration.ZERO, ConfigTree.parseDuration("0s"));
    assertEquals(Duration.ofMillis(1500), ConfigTree.parseDuration("1s500ms"));
    assertEquals(Duration.ofDays(2).plusHours(3), ConfigTree.parseDuration("2d3h"));
    for (String bad : new String[] {"", "1", "h", "1 h", "-1h", "1y", "1h ", "1.5h", "99999999999999h"}) {
      assertThrows(IllegalArgumentException.class, () -> ConfigTree.parseDuration(bad), bad);
    }
  }

  @Test
  void badSettingsFailNamingTheKey() {
    ConfigException bad = assertThrows(ConfigException.class,
        () -> GcConfig.from(ConfigTree.load(null, Map.of("CAIRN_CASTORE_GC_GRACE", "an hour"))));
    assertEquals("castore.gc.grace: must be a duration like 90s, 30m, 1h30m or 2d (units ms, s, m, h, d; got \"an hour\")", bad.getMessage());
    ConfigException tooOften = assertThrows(ConfigException.class,
        () -> GcConfig.from(ConfigTree.load(null, Map.of("CAIRN_CASTORE_GC_INTERVAL", "0s"))));
    assertEquals("castore.gc.interval: must be empty (off) or at least 1s (got PT0S)", tooOften.getMessage());
  }
}
