-- lila's newer API (issue 13): jobsets, and per jobset one evaluation per git revision. An
-- evaluation is a version of the jobset's report (named "jobset/<uuid>", a name no PUT
-- /reports/{name} can take since report names have no '/'), so verdicts, policies, diffs and
-- Frankenbuild analysis work per evaluation unchanged.
CREATE TABLE jobsets (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  -- lila's jobsets of Nov 2025 named a flake to evaluate; kept and shown, never evaluated here.
  flakeref TEXT,
  enabled INTEGER NOT NULL,
  report_id {{BIGINT}} NOT NULL REFERENCES reports(id),
  created_at {{BIGINT}} NOT NULL,
  updated_at {{BIGINT}} NOT NULL
);

CREATE TABLE evaluations (
  id {{ID}},
  jobset_id {{BIGINT}} NOT NULL REFERENCES jobsets(id),
  git_revision TEXT NOT NULL,
  version_id {{BIGINT}} NOT NULL REFERENCES report_versions(id),
  uploaded_by {{BIGINT}} REFERENCES users(id),
  uploaded_at {{BIGINT}} NOT NULL,
  UNIQUE (jobset_id, git_revision)
);
