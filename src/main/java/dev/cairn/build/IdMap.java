package dev.cairn.build;

import dev.cairn.server.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** One user-namespace mapping line: container ids {@code [containerId, containerId+size)} are host ids from {@code hostId}. */
public record IdMap(long containerId, long hostId, long size) {
  static final List<IdMap> FALLBACK = List.of(new IdMap(0, 100_000, 65_536));

  /** "c:h:s[,c:h:s...]"; empty = the {@code user}'s ranges in {@code subIdFile}, else {@link #FALLBACK}. */
  static List<IdMap> configured(String key, String text, Path subIdFile, String user) {
    if (text.isBlank()) {
      List<IdMap> fromFile = fromSubIdFile(subIdFile, user);
      return fromFile.isEmpty() ? FALLBACK : fromFile;
    }
    List<IdMap> maps = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] f = part.strip().split(":");
      try {
        if (f.length != 3) {
          throw new NumberFormatException();
        }
        IdMap m = new IdMap(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        if (m.containerId < 0 || m.hostId < 0 || m.size < 1) {
          throw new NumberFormatException();
        }
        maps.add(m);
      } catch (NumberFormatException e) {
        throw new ConfigException(key, "must be containerID:hostID:size[,...] with non-negative integers (got \"" + text + "\")");
      }
    }
    if (maps.stream().noneMatch(m -> m.containerId == 0)) {
      throw new ConfigException(key, "must map container id 0 (the build runs as root inside its namespace)");
    }
    return List.copyOf(maps);
  }

  /** /etc/subuid lines "user:start:count": the first for {@code user}, mapped from container id 0. */
  static List<IdMap> fromSubIdFile(Path file, String user) {
    try {
      if (!Files.isReadable(file)) {
        return List.of();
      }
      for (String line : Files.readAllLines(file)) {
        String[] f = line.strip().split(":");
        if (f.length == 3 && f[0].equals(user)) {
          return List.of(new IdMap(0, Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return List.of();
    }
    return List.of();
  }

  /** The host id container root maps to (owner of the writable scratch directories). */
  static long hostRoot(List<IdMap> maps) {
    return maps.stream().filter(m -> m.containerId == 0).findFirst().orElseThrow().hostId;
  }
}
