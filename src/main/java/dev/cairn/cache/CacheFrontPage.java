package dev.cairn.cache;

import static dev.cairn.attest.ReportViews.escape;

import dev.cairn.db.Database;
import dev.cairn.nix.SecretKey;
import dev.cairn.server.http.HttpErrors;
import dev.cairn.store.StoreStats;
import io.vertx.core.Future;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * {@code GET /}: a page for a person who found the cache's address: what it holds, its public keys
 * and the exact nix.conf lines to use it, with the address the person used (the request's Host).
 * Every interpolated string is HTML-escaped. The figures are at most {@link #STATS_MILLIS} old
 * (each replica recounts on its own; counting scans the path and chunk tables).
 */
final class CacheFrontPage {
  static final long STATS_MILLIS = 60_000;
  private static final String STYLE = "body{font-family:sans-serif;margin:2em;max-width:60em}h1{font-size:1.6em}"
      + "table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left}td.n{text-align:right}"
      + "pre{background:#f4f4f4;padding:.8em;overflow-x:auto}code{font-family:monospace}";

  private final Database db;
  private final List<SecretKey> keys;
  private final AtomicReference<Counted> counted = new AtomicReference<>();

  /** One count and when it started. */
  private record Counted(Future<StoreStats> stats, long at) {}

  CacheFrontPage(Database db, List<SecretKey> keys) {
    this.db = db;
    this.keys = List.copyOf(keys);
  }

  void handle(RoutingContext rc) {
    HostAndPort authority = rc.request().authority();
    String host = authority == null ? "127.0.0.1" : authority.host();
    String base = rc.request().scheme() + "://" + (authority == null ? host : authority.toString());
    stats().onSuccess(s -> rc.response().putHeader("Content-Type", "text/html; charset=utf-8")
            .putHeader("Cache-Control", "no-cache").end(render(base, host, s)))
        .onFailure(e -> HttpErrors.answer(rc, e));
  }

  /** The last count while it is young enough (event loops share it); a failed count is not kept. */
  private Future<StoreStats> stats() {
    long now = System.currentTimeMillis();
    Counted last = counted.get();
    if (last != null && now - last.at() <= STATS_MILLIS && !last.stats().failed()) {
      return last.stats();
    }
    Counted fresh = new Counted(StoreStats.read(db), now);
    counted.set(fresh);
    return fresh.stats();
  }

  String render(String base, String host, StoreStats s) {
    String publicKeys = keys.stream().map(k -> k.toPublicKey().toString()).collect(Collectors.joining(" "));
    StringBuilder b = new StringBuilder(4096);
    b.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Cairn binary cache at ").append(escape(host))
        .append("</title><style>").append(STYLE).append("</style></head><body>");
    b.append("<h1>Cairn binary cache</h1><p>A Nix binary cache at <code>").append(escape(base)).append("</code>.</p>");
    b.append("<h2>What it holds</h2><table>");
    row(b, "Store paths", String.format(Locale.ROOT, "%,d", s.paths()), "paths");
    row(b, "Bytes before deduplication (sum of NAR sizes)", bytes(s.narBytes()), "nar-bytes");
    row(b, "Bytes stored (distinct chunks)", bytes(s.storedBytes()), "stored-bytes");
    row(b, "Stored per NAR byte", String.format(Locale.ROOT, "%.3f", s.dedupRatio()), "ratio");
    b.append("</table>");
    b.append("<h2>Public keys</h2><ul>");
    keys.forEach(k -> b.append("<li><code class=\"key\">").append(escape(k.toPublicKey().toString())).append("</code></li>"));
    b.append("</ul>");
    b.append("<h2>Use it</h2><p>In <code>nix.conf</code> (or <code>/etc/nix/nix.conf</code>):</p><pre id=\"nix-conf\">")
        .append(escape("extra-substituters = " + base)).append('\n')
        .append(escape("extra-trusted-public-keys = " + publicKeys)).append("</pre>");
    b.append("<p>To upload (a user's token in a netrc file: <code>").append(escape("machine " + host + " password <token>"))
        .append("</code>):</p><pre id=\"nix-copy\">")
        .append(escape("nix copy --to '" + base + "?compression=zstd' --option netrc-file ~/.netrc <path>"))
        .append("</pre></body></html>");
    return b.toString();
  }

  private static void row(StringBuilder b, String label, String value, String id) {
    b.append("<tr><th>").append(escape(label)).append("</th><td class=\"n\" id=\"").append(id).append("\">").append(escape(value))
        .append("</td></tr>");
  }

  private static String bytes(long n) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%,d bytes", n) + (u == 0 ? "" : String.format(Locale.ROOT, " (%.1f %s)", v, units[u]));
  }
}
