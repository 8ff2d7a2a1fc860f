-- The leased rebuild queue (issue 13 part 3). One job per derivation, fed from the
-- evaluations of enabled jobsets (report_paths with a nix:drv_path); see dev.cairn.attest.queue.
-- state: 'queued' (needs an opinion), 'leased' (held by holder until lease_expires_at; an
-- expired lease is free again), 'done' (every output reproduced by two or more builders).
CREATE TABLE queue_jobs (
  id {{ID}},
  drv_path TEXT NOT NULL UNIQUE,
  -- Nix system (x86_64-linux, ...) when known; NULL fits any builder. SBOMs do not say it.
  system TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,
  holder {{BIGINT}} REFERENCES users(id),
  lease_expires_at {{BIGINT}},
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);

CREATE INDEX queue_jobs_order ON queue_jobs (state, priority, id);

-- The outputs a job builds (by the outputs table's ids, as attestations name them).
CREATE TABLE queue_job_outputs (
  job_id {{BIGINT}} NOT NULL REFERENCES queue_jobs(id),
  output_id {{BIGINT}} NOT NULL REFERENCES outputs(id),
  PRIMARY KEY (job_id, output_id)
);

-- The jobsets whose evaluations named a job (pop's "jobset" filter, priorities).
CREATE TABLE queue_job_jobsets (
  job_id {{BIGINT}} NOT NULL REFERENCES queue_jobs(id),
  jobset_id {{BIGINT}} NOT NULL,
  PRIMARY KEY (job_id, jobset_id)
);

CREATE INDEX queue_job_jobsets_jobset ON queue_job_jobsets (jobset_id);

-- Builders that could not build a job (POST /api/v1/queue/{id}/fail): it is not offered to them again.
CREATE TABLE queue_job_failures (
  job_id {{BIGINT}} NOT NULL REFERENCES queue_jobs(id),
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  failed_at {{BIGINT}} NOT NULL,
  PRIMARY KEY (job_id, user_id)
);

-- A job's priority is the highest of its jobsets' (0 when none is set); higher pops first.
CREATE TABLE queue_jobset_priorities (
  jobset_id {{BIGINT}} PRIMARY KEY,
  priority INTEGER NOT NULL
);

-- The last evaluation id turned into jobs: evaluations are immutable and ids only grow.
CREATE TABLE queue_feed (
  id INTEGER PRIMARY KEY,
  last_evaluation_id {{BIGINT}} NOT NULL
);

INSERT INTO queue_feed (id, last_evaluation_id) VALUES (1, 0);
