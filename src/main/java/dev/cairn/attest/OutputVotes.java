package dev.cairn.attest;

import dev.cairn.db.Database;
import dev.cairn.db.InLists;
import dev.cairn.db.Row;
import dev.cairn.nix.StorePath;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Builders' latest votes on output paths, each key counted once ({@link Electorate}): the one
 * reading of "what do builders say this output hashes to", for one path (the output routes) or
 * a page of paths at once (Frankenbuild checks of a closure).
 */
public final class OutputVotes {
  private final Database db;

  public OutputVotes(Database db) {
    this.db = db;
  }

  /** Each path's tally (paths nobody attested are left out), keyed by full store path; revoked builders only if asked. */
  public Future<Map<String, List<Vote>>> of(Collection<StorePath> paths, boolean includeRevoked) {
    return ofFullPaths(paths.stream().map(StorePath::fullPath).distinct().toList(), includeRevoked);
  }

  private Future<Map<String, List<Vote>>> ofFullPaths(List<String> paths, boolean includeRevoked) {
    if (paths.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Future<List<Row>> rows = InLists.query(db, "SELECT a.id, a.user_id, a.output_hash, a.sig_status, a.created_at, o.path, "
        + LatestVotes.VERIFIED_SIG + " FROM attestations a JOIN outputs o ON o.id = a.output_id WHERE o.path IN ",
        paths);
    Future<Electorate> electorate = Electorate.load(db);
    return Future.all(rows, electorate).map(x -> {
      LatestVotes<String> latest = new LatestVotes<>(electorate.result(), includeRevoked, paths.size());
      for (Row r : rows.result()) {
        latest.add(r.string("path"), r);
      }
      return latest.tallies();
    });
  }

  /**
   * Each output's status (by output id) from its unrevoked builders' latest votes: the same
   * reading as a report's statuses, so the rebuild queue and the reports agree on "reproduced".
   * Outputs nobody attested are {@link Status#NO_BUILDS}.
   */
  public Future<Map<Long, Status>> statuses(Collection<Long> outputIds) {
    List<Long> ids = outputIds.stream().distinct().toList();
    if (ids.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Future<List<Row>> rows = InLists.query(db, "SELECT a.id, a.output_id, a.user_id, a.output_hash, a.sig_status, a.created_at, "
        + LatestVotes.VERIFIED_SIG + " FROM attestations a WHERE a.output_id IN ", ids);
    Future<Electorate> electorate = Electorate.load(db);
    return Future.all(rows, electorate).map(x -> {
      LatestVotes<Long> latest = new LatestVotes<>(electorate.result(), false, ids.size());
      for (Row r : rows.result()) {
        latest.add(r.getLong("output_id"), r);
      }
      Map<Long, Status> out = new HashMap<>();
      for (Long id : ids) {
        out.put(id, Status.of(latest.tally(id)));
      }
      return out;
    });
  }

  /** One path's tally. */
  public Future<List<Vote>> of(StorePath path, boolean includeRevoked) {
    return ofFullPaths(List.of(path.fullPath()), includeRevoked).map(m -> m.getOrDefault(path.fullPath(), new ArrayList<>()));
  }

  /** One output's tally, a lila placeholder's too (outputs.path holds its full text). */
  public Future<List<Vote>> of(OutputPath path, boolean includeRevoked) {
    return ofFullPaths(List.of(path.fullPath()), includeRevoked).map(m -> m.getOrDefault(path.fullPath(), new ArrayList<>()));
  }
}
