package dev.cairn.attest.queue;

import static dev.cairn.db.TestDatabase.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.attest.AttestationService;
import dev.cairn.attest.DerivationSystems;
import dev.cairn.attest.DrvIdent;
import dev.cairn.attest.InputLimits;
import dev.cairn.attest.OutputAttestation;
import dev.cairn.attest.ReportDefinition;
import dev.cairn.db.Database;
import dev.cairn.users.Role;
import dev.cairn.users.User;
import dev.cairn.users.UserName;
import dev.cairn.users.UserService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Jobsets, evaluations and attestations written the way the attest capability writes them
 * (AttestationService for report versions and attestations; the rows that make a report
 * version an evaluation by SQL, and the derivations' systems, as JobsetService's transaction does).
 */
final class QueueFixture {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Database db;
  private final AttestationService attest;
  private int counter;

  QueueFixture(Database db) {
    this.db = db;
    this.attest = new AttestationService(db);
  }

  User user(String name) throws Exception {
    return await(new UserService(db).create(new UserName(name), Role.WRITER, Optional.empty())).user();
  }

  /** A fresh store path name {@code /nix/store/<hash>-<name>}. */
  synchronized String path(String name) {
    counter++;
    StringBuilder b = new StringBuilder();
    for (char ch : String.format("%032d", counter).toCharArray()) {
      b.append("lmnpqrsvwx".charAt(ch - '0'));
    }
    return "/nix/store/" + b + "-" + name;
  }

  long jobset(String name, boolean enabled) throws Exception {
    long now = System.currentTimeMillis();
    long report = await(db.query("INSERT INTO reports (name, created_at) VALUES (?, ?) RETURNING id", "jobset/" + name, now)).get(0).getLong("id");
    return await(db.query("INSERT INTO jobsets (name, description, enabled, report_id, created_at, updated_at) VALUES (?, NULL, ?, ?, ?, ?)"
        + " RETURNING id", name, enabled ? 1L : 0L, report, now, now)).get(0).getLong("id");
  }

  /** An evaluation naming each output with its derivation {@code <output>.drv}. */
  long evaluation(long jobsetId, String revision, String... outputs) throws Exception {
    return evaluation(jobsetId, revision, Optional.empty(), outputs);
  }

  /** An evaluation naming each output with its derivation {@code <output>.drv} of {@code system} (SBOM property nix:system). */
  long evaluation(long jobsetId, String revision, Optional<String> system, String... outputs) throws Exception {
    String report = await(db.queryOne("SELECT r.name FROM jobsets j JOIN reports r ON r.id = j.report_id WHERE j.id = ?", jobsetId))
        .orElseThrow().string("name");
    String sbom = sbom(system, outputs);
    ReportDefinition def = ReportDefinition.parse(JSON.readTree(sbom), InputLimits.defaults());
    await(attest.defineReport(report, sbom, def, Optional.empty()));
    await(DerivationSystems.record(db, def));
    long version = await(db.queryOne("SELECT MAX(v.id) AS id FROM report_versions v JOIN reports r ON r.id = v.report_id WHERE r.name = ?", report))
        .orElseThrow().getLong("id");
    return await(db.query("INSERT INTO evaluations (jobset_id, git_revision, version_id, uploaded_by, uploaded_at) VALUES (?, ?, ?, NULL, ?)"
        + " RETURNING id", jobsetId, revision, version, System.currentTimeMillis())).get(0).getLong("id");
  }

  static String drvOf(String output) {
    return output + ".drv";
  }

  /** A CycloneDX SBOM whose components are the outputs, each built by {@code <output>.drv}. */
  static String sbom(String... outputs) {
    return sbom(Optional.empty(), outputs);
  }

  static String sbom(Optional<String> system, String... outputs) {
    JsonArray components = new JsonArray();
    for (String o : outputs) {
      JsonArray properties = new JsonArray()
          .add(new JsonObject().put("name", "nix:out_path").put("value", o))
          .add(new JsonObject().put("name", "nix:drv_path").put("value", drvOf(o)));
      system.ifPresent(s -> properties.add(new JsonObject().put("name", "nix:system").put("value", s)));
      components.add(new JsonObject().put("bom-ref", o).put("properties", properties));
    }
    return new JsonObject().put("bomFormat", "CycloneDX").put("specVersion", "1.5").put("components", components).encode();
  }

  static final String HASH_A = "sha256:094qif9n4cq4fdg459qzbhg1c6wywawwaaivx0k0x8xhbyx4vwic";
  static final String HASH_B = "sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s";

  /** {@code user} reports {@code hash} for the output (through the batch ingestion path). */
  void attest(User user, String output, String hash) throws Exception {
    String base = output.substring("/nix/store/".length());
    JsonArray outs = new JsonArray().add(new JsonObject().put("output_digest", base.substring(0, 32)).put("output_name", base.substring(33))
        .put("output_hash", hash).put("output_sig", ""));
    List<OutputAttestation> parsed = OutputAttestation.listFromJson(JSON.readTree(outs.encode()), "outputs", InputLimits.defaults());
    await(attest.ingestBatch(user, List.of(new AttestationService.Entry(DrvIdent.parse(base), parsed))));
  }
}
