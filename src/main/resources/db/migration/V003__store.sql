-- PathInfo: a store path's root node, NAR hash/size, signatures, deriver, CA, and its references
-- both by name (in the order received, for signature fingerprints) and by content.
CREATE TABLE path_infos (
  digest {{BYTES}} PRIMARY KEY,
  name TEXT NOT NULL,
  node {{BYTES}} NOT NULL,
  nar_size {{BIGINT}} NOT NULL,
  nar_sha256 {{BYTES}} NOT NULL,
  signatures TEXT NOT NULL,
  deriver TEXT,
  ca TEXT,
  created_at {{BIGINT}} NOT NULL
);

-- reference_node holds the referenced path's castore root node as it was when both were known
-- (NULL: not in this store, yet). Filled on put, back-filled when the reference arrives.
CREATE TABLE path_references (
  referrer {{BYTES}} NOT NULL REFERENCES path_infos(digest) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  reference_digest {{BYTES}} NOT NULL,
  reference_name TEXT NOT NULL,
  reference_node {{BYTES}},
  PRIMARY KEY (referrer, position)
);

CREATE INDEX path_references_reference ON path_references(reference_digest);
