package dev.cairn.db;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versioned schema migrations. Scripts live in {@code db/migration/} on the classpath and
 * are listed, in order, in {@code db/migration/index.txt} as {@code V<n>__<name>.sql}. A
 * migration that the common subset of both dialects cannot express has two variants instead,
 * {@code db/migration/postgresql/V<n>__<name>.sql} and {@code db/migration/sqlite/...} (same
 * name, same resulting schema). Each applies in its own transaction and is recorded in
 * {@code schema_migrations}; a database already at a version this code does not know is
 * refused rather than touched.
 */
public final class Migrations {
  private static final Pattern FILE = Pattern.compile("V(\\d+)__([a-z0-9_]+)\\.sql");
  /** Serialises replicas migrating one PostgreSQL database at the same time. */
  private static final long PG_LOCK_KEY = 0x6361_6972_6eL;

  /** A migration's script per dialect: the same text for both, or its two variants. */
  public record Migration(int version, String name, Map<Dialect, String> scripts) {
    /** The script for {@code dialect}, placeholders filled in. */
    public String script(Dialect dialect) {
      return dialect.render(scripts.get(dialect));
    }
  }

  private Migrations() {}

  public static List<Migration> all() {
    List<Migration> out = new ArrayList<>();
    for (String line : resource("db/migration/index.txt").split("\n")) {
      String file = line.strip();
      if (file.isEmpty() || file.startsWith("#")) {
        continue;
      }
      Matcher m = FILE.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException("db/migration/index.txt: bad migration file name " + file);
      }
      int version = Integer.parseInt(m.group(1));
      if (!out.isEmpty() && out.get(out.size() - 1).version() >= version) {
        throw new IllegalStateException("db/migration/index.txt: versions must increase at " + file);
      }
      String common = optionalResource("db/migration/" + file);
      Map<Dialect, String> scripts = new EnumMap<>(Dialect.class);
      for (Dialect d : Dialect.values()) {
        scripts.put(d, common != null ? common : resource("db/migration/" + d.name().toLowerCase(Locale.ROOT) + "/" + file));
      }
      out.add(new Migration(version, m.group(2), Map.copyOf(scripts)));
    }
    return out;
  }

  public static int latestVersion() {
    List<Migration> all = all();
    return all.isEmpty() ? 0 : all.get(all.size() - 1).version();
  }

  /** Brings the database to the latest version; fails if it is newer than this code. */
  public static Future<Integer> apply(Database db) {
    List<Migration> migrations = all();
    int latest = latestVersion();
    return db.update("CREATE TABLE IF NOT EXISTS schema_migrations ("
            + "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at " + db.dialect().render("{{BIGINT}}") + " NOT NULL)")
        .compose(v -> currentVersion(db))
        .compose(current -> {
          if (current > latest) {
            return Future.failedFuture(new IllegalStateException("database schema is at version " + current
                + " but this Cairn knows migrations only up to " + latest + "; upgrade Cairn"));
          }
          // Every migration not recorded yet, not only those above the current version: branches
          // land out of order (a V009 merged after V010), and a database migrated in between
          // must still get it. Migrations are written to be independent of later ones.
          return db.query("SELECT version FROM schema_migrations").compose(rows -> {
            java.util.Set<Long> applied = new java.util.HashSet<>();
            rows.forEach(r -> applied.add(r.getLong("version")));
            Future<Void> chain = Future.succeededFuture();
            for (Migration m : migrations) {
              if (!applied.contains((long) m.version())) {
                chain = chain.compose(v -> applyOne(db, m));
              }
            }
            return chain;
          }).compose(v -> currentVersion(db));
        });
  }

  public static Future<Integer> currentVersion(Database db) {
    return db.query("SELECT MAX(version) AS v FROM schema_migrations")
        .map(rows -> rows.isEmpty() || rows.get(0).isNull("v") ? 0 : (int) rows.get(0).getLong("v"));
  }

  private static Future<Void> applyOne(Database db, Migration m) {
    return db.transaction(tx -> {
      Future<?> locked = db.dialect() == Dialect.POSTGRESQL
          ? tx.query("SELECT pg_advisory_xact_lock(" + PG_LOCK_KEY + ")")
          : Future.succeededFuture();
      return locked
          .compose(v -> tx.query("SELECT 1 AS present FROM schema_migrations WHERE version = ?", m.version()))
          .compose(present -> {
            if (!present.isEmpty()) {
              return Future.succeededFuture();
            }
            Future<?> chain = Future.succeededFuture();
            for (String statement : statements(m.script(db.dialect()))) {
              chain = chain.compose(v -> tx.update(statement).recover(e -> Future.failedFuture(
                  new IllegalStateException("migration V" + m.version() + "__" + m.name() + " failed: " + e.getMessage(), e))));
            }
            return chain.compose(v -> tx.update("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                m.version(), m.name(), System.currentTimeMillis())).mapEmpty();
          });
    });
  }

  /** Splits a script on semicolons that end a line; comments start with {@code --}. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String s = current.toString().strip();
        out.add(s.substring(0, s.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().strip());
    }
    return out;
  }

  private static String resource(String name) {
    String text = optionalResource(name);
    if (text == null) {
      throw new IllegalStateException("missing resource " + name);
    }
    return text;
  }

  private static String optionalResource(String name) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        return null;
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
