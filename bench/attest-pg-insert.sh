#!/usr/bin/env bash
# PostgreSQL's own time for PgAttestSql's attestation insert, measured inside the server by
# EXPLAIN ANALYZE (execution and trigger time, i.e. foreign-key checks): a figure that depends
# far less on the machine's load than req/s. The schema is the one target/cairn.jar migrates
# to; rows are fresh (every insert finds its conflict key free), one user as in bench/attest.sh.
# usage: bench/attest-pg-insert.sh [ROWS_PER_STATEMENT=1000] [STATEMENTS=20]
# Then the vote query of a report (ReportStore.statuses) over all ROWS x STATEMENTS attested paths.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000}
runs=${2:-20}
db=cairn_bench_insert
psql() { command psql -h 127.0.0.1 -U postgres -X -q "$@"; }
[ -f target/cairn.jar ] || mvn -B -q package -DskipTests
trap 'psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
psql -c "CREATE DATABASE $db" >/dev/null
work=$(mktemp -d /tmp/cairn-bench-insert.XXXX)
CAIRN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/$db CAIRN_DATA_DIR=$work java -jar target/cairn.jar user create bench >/dev/null 2>&1
rm -rf "$work"
total=$((rows * runs))
psql -d $db -c "INSERT INTO derivations (ident, created_at) SELECT 'd' || g, 0 FROM generate_series(1, $total) g;
  INSERT INTO outputs (path) SELECT '/nix/store/o' || g FROM generate_series(1, $total) g;
  CREATE TABLE bench_rows AS SELECT g / $rows AS run, array_agg(1::int8) AS a_u, array_agg(g::int8 + 1) AS a_d, array_agg(g::int8 + 1) AS a_o,
    array_agg('sha256:' || md5(g::text) || md5(g::text)) AS a_h, array_agg(''::text) AS a_s, array_agg(NULL::int8) AS a_n,
    array_agg(NULL::text) AS a_r, array_agg('unverified'::text) AS a_st, array_agg(1::int8) AS a_c
    FROM generate_series(0, $total - 1) g GROUP BY g / $rows;"
psql -d $db -c "VACUUM ANALYZE"
# The statement of PgAttestSql.insertAttestations (counted: lila's POST), one run per fresh slice of rows.
for r in $(seq 0 $((runs - 1))); do
  psql -d $db -At -c "EXPLAIN (ANALYZE, FORMAT JSON) INSERT INTO attestations (user_id, drv_id, output_id, output_hash, output_sig,
      nar_size, refs, sig_status, reports, created_at)
    SELECT u, d, o, h, s, n, r, st, c, 0 FROM bench_rows b, unnest(b.a_u, b.a_d, b.a_o, b.a_h, b.a_s, b.a_n, b.a_r, b.a_st, b.a_c) AS t(u, d, o, h, s, n, r, st, c)
    WHERE b.run = $r ON CONFLICT (user_id, output_id, output_hash) DO UPDATE SET reports = attestations.reports + excluded.reports"
done | python3 -c '
import json, sys, statistics
text, dec, runs, i = sys.stdin.read(), json.JSONDecoder(), [], 0
while text[i:].strip():
    i += len(text[i:]) - len(text[i:].lstrip())
    doc, i = dec.raw_decode(text, i)
    runs.append(doc[0])
ex = [r["Execution Time"] for r in runs]
tr = [sum(t["Time"] for t in r.get("Triggers", [])) for r in runs]
n = int(sys.argv[1])
print("%d statements of %d rows: execution median %.2f ms (min %.2f), of it triggers (foreign keys) median %.2f ms; per 1,000 rows %.2f ms"
      % (len(ex), n, statistics.median(ex), min(ex), statistics.median(tr), statistics.median(ex) * 1000 / n))
' "$rows"
# ReportStore.statuses' vote query over every attested output (a report of ROWS x STATEMENTS paths), 5 runs.
psql -d $db -c "INSERT INTO reports (name, created_at) VALUES ('r', 0);
  INSERT INTO report_versions (report_id, version, sbom, created_at) SELECT id, 1, '', 0 FROM reports;
  INSERT INTO report_paths (version_id, ref, output_id) SELECT v.id, 'r' || o.id, o.id FROM report_versions v, outputs o
    WHERE o.id <= $total;"
psql -d $db -c "VACUUM ANALYZE"
for r in 1 2 3 4 5; do
  psql -d $db -At -c "EXPLAIN (ANALYZE, FORMAT JSON) SELECT a.id, a.output_id, a.user_id, a.output_hash, a.sig_status, a.created_at,
    CASE WHEN a.sig_status = 'verified' THEN a.output_sig END AS sig FROM report_paths rp JOIN attestations a ON a.output_id = rp.output_id
    WHERE rp.version_id = 1"
done | python3 -c '
import json, sys, statistics
text, dec, ex, i = sys.stdin.read(), json.JSONDecoder(), [], 0
while text[i:].strip():
    i += len(text[i:]) - len(text[i:].lstrip())
    doc, i = dec.raw_decode(text, i)
    ex.append(doc[0]["Execution Time"])
print("report vote query over %s paths: execution median %.1f ms (min %.1f)" % (sys.argv[1], statistics.median(ex), min(ex)))
' "$total"
