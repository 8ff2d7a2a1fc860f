package dev.cairn.attest;

import dev.cairn.server.config.ConfigTree;

/**
 * The caps on what one request may make the attest capability do (conf/cairn.yaml, section
 * {@code attest}). Each bounds memory or writer time that one client could otherwise take
 * from all others.
 *
 * @param maxBatchBytes          body of {@code POST /api/v1/attestations}
 * @param maxBatchEntries        derivations per batch
 * @param maxOutputsPerEntry     outputs per derivation (a lila POST, or one batch entry)
 * @param batchTransactionRows   rows per transaction when a batch is written in parts
 * @param maxTextLength          any free-text field (signatures, hashes, refs, links, names)
 * @param maxReportBytes         one report version's SBOM
 * @param maxReportVersions      versions kept per report
 * @param maxReportComponents    components of one SBOM
 * @param maxReportDependencies  dependency edges of one SBOM
 */
public record InputLimits(long maxBatchBytes, int maxBatchEntries, int maxOutputsPerEntry, int batchTransactionRows, int maxTextLength,
                          long maxReportBytes, int maxReportVersions, int maxReportComponents, int maxReportDependencies) {

  /** The defaults of conf/cairn.yaml, for code that runs without a server (admin commands, tests of parsers). */
  public static InputLimits defaults() {
    return of(ConfigTree.defaults());
  }

  public static InputLimits of(ConfigTree config) {
    return new InputLimits(
        config.longValue("attest.max_batch_bytes", 1024, 1L << 31),
        config.integer("attest.max_batch_entries", 1, 10_000_000),
        config.integer("attest.max_outputs_per_entry", 1, 100_000),
        // 9 parameters a row: 3,000 rows stay below SQLite's 32,766 and PostgreSQL's 65,535 parameters.
        config.integer("attest.batch_transaction_rows", 1, 3_000),
        config.integer("attest.max_text_length", 64, 1 << 20),
        config.longValue("attest.max_report_bytes", 1024, 1L << 31),
        config.integer("attest.max_report_versions", 1, 1_000_000),
        config.integer("attest.max_report_components", 1, 100_000_000),
        config.integer("attest.max_report_dependencies", 1, 1_000_000_000));
  }

  /** {@code value} if it is printable text within {@link #maxTextLength}. */
  public String text(String field, String value) {
    return PrintableText.check(field, value, maxTextLength);
  }
}
