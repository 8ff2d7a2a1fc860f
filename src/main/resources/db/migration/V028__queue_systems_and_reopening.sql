-- The rebuild queue, second round (issue 13 part 3).
-- A derivation's Nix system as an evaluation's SBOM says it (component property nix:system);
-- the first evaluation to name a derivation's system keeps it (the system is part of what the
-- .drv path hashes, so two honest SBOMs cannot differ).
CREATE TABLE derivation_systems (
  drv_path TEXT PRIMARY KEY,
  system TEXT NOT NULL
);

-- Done jobs are decided again when their outputs get new attestations: the attestation id up
-- to which that was done (RebuildQueue.reopen).
ALTER TABLE queue_feed ADD COLUMN last_attestation_id {{BIGINT}} NOT NULL DEFAULT 0;

-- Attestations name outputs; reopening goes from an output to its jobs.
CREATE INDEX queue_job_outputs_output ON queue_job_outputs (output_id);
