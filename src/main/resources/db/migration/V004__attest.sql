-- Attestations (hash reports) from builders, reports (CycloneDX SBOMs, versioned), link patterns.
CREATE TABLE derivations (
  id {{ID}},
  ident TEXT NOT NULL UNIQUE,
  created_at {{BIGINT}} NOT NULL
);

CREATE TABLE outputs (
  id {{ID}},
  path TEXT NOT NULL UNIQUE
);

CREATE TABLE attestations (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  drv_id {{BIGINT}} NOT NULL REFERENCES derivations(id),
  output_id {{BIGINT}} NOT NULL REFERENCES outputs(id),
  output_hash TEXT NOT NULL,
  output_sig TEXT NOT NULL,
  nar_size {{BIGINT}},
  refs TEXT,
  sig_status TEXT NOT NULL,
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (user_id, output_id, output_hash)
);

CREATE INDEX attestations_output ON attestations(output_id);
CREATE INDEX attestations_drv ON attestations(drv_id);

CREATE TABLE user_keys (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  public_key TEXT NOT NULL,
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (user_id, public_key)
);

CREATE TABLE reports (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  created_at {{BIGINT}} NOT NULL
);

CREATE TABLE report_versions (
  id {{ID}},
  report_id {{BIGINT}} NOT NULL REFERENCES reports(id),
  version INTEGER NOT NULL,
  sbom TEXT NOT NULL,
  root_ref TEXT,
  created_by {{BIGINT}} REFERENCES users(id),
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (report_id, version)
);

CREATE TABLE report_paths (
  version_id {{BIGINT}} NOT NULL REFERENCES report_versions(id),
  ref TEXT NOT NULL,
  output_id {{BIGINT}} NOT NULL REFERENCES outputs(id),
  drv_path TEXT,
  output TEXT,
  PRIMARY KEY (version_id, ref)
);

CREATE INDEX report_paths_output ON report_paths(output_id);

CREATE TABLE report_edges (
  version_id {{BIGINT}} NOT NULL REFERENCES report_versions(id),
  parent_ref TEXT NOT NULL,
  child_ref TEXT NOT NULL,
  PRIMARY KEY (version_id, parent_ref, child_ref)
);

CREATE TABLE link_patterns (
  id {{ID}},
  pattern TEXT NOT NULL,
  link TEXT NOT NULL,
  UNIQUE (pattern, link)
);
