package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.validation.ValidationException;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** The link patterns (admin-defined links from a disagreeing path to, say, its build log) on the metadata database. */
final class LinkPatterns {
  /** At most this many link patterns: each is matched against every disagreeing path on a render. */
  static final int MAX_LINK_PATTERNS = 256;

  private final Database db;

  LinkPatterns(Database db) {
    this.db = db;
  }

  Future<List<LinkPattern>> all() {
    return db.query("SELECT pattern, link FROM link_patterns ORDER BY id")
        .map(rows -> rows.stream().map(r -> new LinkPattern(r.string("pattern"), r.string("link"))).toList());
  }

  Future<Void> add(LinkPattern p) {
    return db.transaction(tx -> tx.queryOne("SELECT COUNT(*) AS n FROM link_patterns")
        .compose(n -> n.orElseThrow().getLong("n") >= MAX_LINK_PATTERNS
            ? Future.failedFuture(ValidationException.of("pattern: at most " + MAX_LINK_PATTERNS + " link patterns; delete one first"))
            : tx.update("INSERT INTO link_patterns (pattern, link) VALUES (?, ?) ON CONFLICT (pattern, link) DO NOTHING", p.pattern(), p.link()))
        .mapEmpty());
  }

  /** Deletes the pattern's rows (only the one with {@code link} when given); returns how many. */
  Future<Long> delete(String pattern, Optional<String> link) {
    return link.isPresent() ? db.update("DELETE FROM link_patterns WHERE pattern = ? AND link = ?", pattern, link.get())
        : db.update("DELETE FROM link_patterns WHERE pattern = ?", pattern);
  }
}
