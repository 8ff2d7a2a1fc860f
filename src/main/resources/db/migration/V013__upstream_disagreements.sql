-- Frankenbuild evidence from upstream caches: a trusted upstream's signed narinfo for a store
-- path this store holds, claiming a different NAR (hash or size). Seen while pulling a path
-- through from that upstream, for each of its references this store already had. One row per
-- (path, upstream, claimed NAR hash); no foreign key to path_infos: the evidence outlives a
-- deleted path.
CREATE TABLE upstream_disagreements (
  id {{ID}},
  digest {{BYTES}} NOT NULL,
  name TEXT NOT NULL,
  upstream TEXT NOT NULL,
  referrer TEXT NOT NULL,
  our_nar_sha256 {{BYTES}} NOT NULL,
  our_nar_size {{BIGINT}} NOT NULL,
  upstream_nar_sha256 {{BYTES}} NOT NULL,
  upstream_nar_size {{BIGINT}} NOT NULL,
  upstream_references TEXT NOT NULL,
  upstream_signatures TEXT NOT NULL,
  created_at {{BIGINT}} NOT NULL,
  UNIQUE (digest, upstream, upstream_nar_sha256)
);

CREATE INDEX upstream_disagreements_digest ON upstream_disagreements(digest);
