-- Large attestation batches are written in parts, each its own short transaction, into a
-- staging table that no reader looks at; one set-based transaction then publishes the whole
-- batch into attestations (see StagedBatch). A batch whose client or server died midway
-- leaves only staging rows, swept after an hour.
CREATE TABLE attestation_batches (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL,
  created_at {{BIGINT}} NOT NULL
);

CREATE INDEX attestation_batches_created ON attestation_batches(created_at);

CREATE TABLE attestation_staging (
  batch_id {{BIGINT}} NOT NULL,
  seq {{BIGINT}} NOT NULL,
  drv_ident TEXT NOT NULL,
  path TEXT NOT NULL,
  output_hash TEXT NOT NULL,
  output_sig TEXT NOT NULL,
  nar_size {{BIGINT}},
  refs TEXT,
  sig_status TEXT NOT NULL,
  PRIMARY KEY (batch_id, seq)
);
