-- Frankenbuild evidence: puts that claimed different content for a store path that already had
-- a PathInfo. They are refused (a stored PathInfo is immutable); each refused claim is kept here
-- with who made it, which fields differed and what was offered. No foreign key to path_infos:
-- the evidence outlives a deleted path.
CREATE TABLE path_info_conflicts (
  id {{ID}},
  digest {{BYTES}} NOT NULL,
  name TEXT NOT NULL,
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  differences TEXT NOT NULL,
  offered_node {{BYTES}} NOT NULL,
  offered_nar_size {{BIGINT}} NOT NULL,
  offered_nar_sha256 {{BYTES}} NOT NULL,
  offered_references TEXT NOT NULL,
  offered_signatures TEXT NOT NULL,
  offered_deriver TEXT,
  offered_ca TEXT,
  created_at {{BIGINT}} NOT NULL
);

CREATE INDEX path_info_conflicts_digest ON path_info_conflicts(digest);
