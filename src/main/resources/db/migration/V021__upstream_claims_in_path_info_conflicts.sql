-- One store of Frankenbuild evidence: the upstream claims V013 kept in upstream_disagreements
-- move into path_info_conflicts as source 'upstream' (V014), which the closure check reads.
-- An upstream claim is a signed narinfo, not a NAR this store fetched, so it has no node:
-- offered_node becomes nullable (SQLite cannot drop NOT NULL in place, so the table is rebuilt;
-- ids are renumbered, oldest first, nothing refers to them). seen_via is the path whose
-- pull-through brought an upstream claim up (upstream_disagreements.referrer). One row per
-- (path, upstream, claimed NAR hash), as before: a partial unique index over upstream rows.
CREATE TABLE path_info_claims (
  id {{ID}},
  digest {{BYTES}} NOT NULL,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  user_id {{BIGINT}} REFERENCES users(id),
  origin TEXT,
  seen_via TEXT,
  differences TEXT NOT NULL,
  offered_node {{BYTES}},
  offered_nar_size {{BIGINT}} NOT NULL,
  offered_nar_sha256 {{BYTES}} NOT NULL,
  offered_references TEXT NOT NULL,
  offered_signatures TEXT NOT NULL,
  offered_deriver TEXT,
  offered_ca TEXT,
  created_at {{BIGINT}} NOT NULL
);

INSERT INTO path_info_claims (digest, name, source, user_id, origin, seen_via, differences, offered_node, offered_nar_size,
    offered_nar_sha256, offered_references, offered_signatures, offered_deriver, offered_ca, created_at)
  SELECT digest, name, source, user_id, origin, seen_via, differences, offered_node, offered_nar_size,
    offered_nar_sha256, offered_references, offered_signatures, offered_deriver, offered_ca, created_at
  FROM (
    SELECT 0 AS kind, id AS old_id, digest, name, source, user_id, origin, NULL AS seen_via, differences, offered_node, offered_nar_size,
      offered_nar_sha256, offered_references, offered_signatures, offered_deriver, offered_ca, created_at
    FROM path_info_conflicts
    UNION ALL
    SELECT 1 AS kind, id AS old_id, digest, name, 'upstream' AS source, NULL AS user_id, upstream AS origin, referrer AS seen_via,
      CASE WHEN our_nar_size <> upstream_nar_size AND our_nar_sha256 <> upstream_nar_sha256 THEN 'narinfo.nar_size,narinfo.nar_sha256'
           WHEN our_nar_size <> upstream_nar_size THEN 'narinfo.nar_size'
           ELSE 'narinfo.nar_sha256' END AS differences,
      NULL AS offered_node, upstream_nar_size AS offered_nar_size, upstream_nar_sha256 AS offered_nar_sha256,
      upstream_references AS offered_references, upstream_signatures AS offered_signatures, NULL AS offered_deriver, NULL AS offered_ca,
      created_at
    FROM upstream_disagreements
  ) AS claims
  ORDER BY created_at, kind, old_id;

-- The oldest of equal upstream claims stays (V014's table had no such bound).
DELETE FROM path_info_claims WHERE source = 'upstream' AND EXISTS (SELECT 1 FROM path_info_claims o WHERE o.source = 'upstream'
  AND o.digest = path_info_claims.digest AND o.origin = path_info_claims.origin
  AND o.offered_nar_sha256 = path_info_claims.offered_nar_sha256 AND o.id < path_info_claims.id);

DROP TABLE path_info_conflicts;

DROP TABLE upstream_disagreements;

ALTER TABLE path_info_claims RENAME TO path_info_conflicts;

CREATE INDEX path_info_conflicts_digest ON path_info_conflicts(digest);

CREATE UNIQUE INDEX path_info_conflicts_upstream ON path_info_conflicts(digest, origin, offered_nar_sha256) WHERE source = 'upstream';
