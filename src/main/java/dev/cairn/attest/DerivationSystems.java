package dev.cairn.attest;

import dev.cairn.db.Sql;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Derivations' Nix systems as evaluations name them (SBOM property {@code nix:system}), so the
 * rebuild queue hands a job only to builders of its system. Written in the evaluation's own
 * transaction; the first system named for a derivation stays (it is part of what the .drv
 * path hashes, so honest SBOMs agree).
 */
public final class DerivationSystems {
  private DerivationSystems() {}

  /** Records the systems {@code def} names for its derivations. */
  public static Future<Void> record(Sql tx, ReportDefinition def) {
    Map<String, String> systems = new LinkedHashMap<>();
    for (ReportDefinition.Component c : def.components()) {
      if (c.drvPath().isPresent() && c.system().isPresent()) {
        systems.putIfAbsent(c.drvPath().get(), c.system().get().value());
      }
    }
    if (systems.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object[]> rows = new ArrayList<>(systems.size());
    systems.forEach((drv, system) -> rows.add(new Object[] {drv, system}));
    return tx.batch("INSERT INTO derivation_systems (drv_path, system) VALUES (?, ?) ON CONFLICT (drv_path) DO NOTHING", rows);
  }
}
