-- Attestation inserts without per-row foreign-key checks (docs/DEVELOPING.md, Attestations);
-- see the PostgreSQL variant of this migration for why. SQLite cannot drop a constraint in
-- place, so the table is rebuilt with the same columns and the same ids (queue_feed keeps
-- attestation ids; AUTOINCREMENT's counter follows explicit ids).
CREATE TABLE attestations_v029 (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL,
  drv_id {{BIGINT}} NOT NULL,
  output_id {{BIGINT}} NOT NULL,
  output_hash TEXT NOT NULL,
  output_sig TEXT NOT NULL,
  nar_size {{BIGINT}},
  refs TEXT,
  sig_status TEXT NOT NULL,
  created_at {{BIGINT}} NOT NULL,
  reports {{BIGINT}} NOT NULL DEFAULT 1
);

INSERT INTO attestations_v029 (id, user_id, drv_id, output_id, output_hash, output_sig, nar_size, refs, sig_status, created_at, reports)
  SELECT id, user_id, drv_id, output_id, output_hash, output_sig, nar_size, refs, sig_status, created_at, reports
  FROM attestations ORDER BY id;

DROP TABLE attestations;

ALTER TABLE attestations_v029 RENAME TO attestations;

-- One index fewer per row: the unique key leads with output_id, so it also serves every read by output.
CREATE UNIQUE INDEX attestations_output_user_hash ON attestations (output_id, user_id, output_hash);

CREATE INDEX attestations_drv ON attestations(drv_id);
