package dev.cairn.store;

import dev.cairn.db.Sql;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Stored paths found by name, for views that name packages rather than hashes (the registry's
 * image names). A package name is a store path name without its version, split the way Nix's
 * {@code DrvName} splits it: the version starts at the first {@code -} followed by a character
 * that is not a letter ({@code hello-2.12} → {@code hello}, {@code top-dev} → {@code top-dev}).
 */
public final class PathNames {
  /** More stored paths than this sharing one package name is treated as an error by callers. */
  public static final int MAX_CANDIDATES = 1000;

  /** A stored path and when it was registered (epoch ms). */
  public record Registered(StorePath path, long createdAt) {}

  private final Sql db;

  PathNames(Sql db) {
    this.db = db;
  }

  /** The package name of a store path name. */
  public static String packageName(String name) {
    for (int i = 0; i + 1 < name.length(); i++) {
      if (name.charAt(i) == '-' && !Character.isLetter(name.charAt(i + 1))) {
        return name.substring(0, i);
      }
    }
    return name;
  }

  /**
   * Stored paths whose package name or whole name is {@code name}, at most {@link #MAX_CANDIDATES} + 1
   * of them (so a caller can tell "too many"), in no particular order.
   */
  public Future<List<Registered>> named(String name) {
    String like = name.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "-%";
    return db.query("SELECT digest, name, created_at FROM path_infos WHERE name = ? OR name LIKE ? ESCAPE '!' LIMIT ?",
        name, like, MAX_CANDIDATES + 1).map(rows -> {
          List<Registered> out = new ArrayList<>();
          rows.forEach(r -> {
            String full = r.string("name");
            if (full.equals(name) || packageName(full).equals(name)) {
              out.add(new Registered(new StorePath(r.bytes("digest"), full), r.getLong("created_at")));
            }
          });
          return out;
        });
  }
}
