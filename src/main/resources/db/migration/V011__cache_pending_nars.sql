-- NARs uploaded to the binary cache (PUT /nar/<file hash>.nar) whose narinfo has not arrived
-- yet: the ingested root node and what the NAR hashed to, keyed by the file hash the narinfo
-- will name. In the database so that any replica can receive the narinfo. The blobs behind a
-- pending NAR are protected only by the garbage collection grace period: an abandoned upload
-- leaves nothing a GC keeps.
CREATE TABLE cache_pending_nars (
  file_sha256 {{BYTES}} PRIMARY KEY,
  node {{BYTES}} NOT NULL,
  nar_size {{BIGINT}} NOT NULL,
  nar_sha256 {{BYTES}} NOT NULL,
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  created_at {{BIGINT}} NOT NULL
);
