-- Frankenbuild evidence from more than uploads: each row of path_info_conflicts now says where
-- the differing claim came from. source 'upload': a writer's refused put (user_id says who);
-- source 'upstream': an upstream cache's narinfo whose content differs from ours (origin is the
-- upstream's URL, no user). SQLite cannot drop NOT NULL from user_id in place, so the table is
-- rebuilt (same columns plus source and origin; ids are renumbered, nothing refers to them).
CREATE TABLE path_info_evidence (
  id {{ID}},
  digest {{BYTES}} NOT NULL,
  name TEXT NOT NULL,
  source TEXT NOT NULL,
  user_id {{BIGINT}} REFERENCES users(id),
  origin TEXT,
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

INSERT INTO path_info_evidence (digest, name, source, user_id, origin, differences, offered_node, offered_nar_size, offered_nar_sha256,
    offered_references, offered_signatures, offered_deriver, offered_ca, created_at)
  SELECT digest, name, 'upload', user_id, NULL, differences, offered_node, offered_nar_size, offered_nar_sha256,
    offered_references, offered_signatures, offered_deriver, offered_ca, created_at
  FROM path_info_conflicts ORDER BY id;

DROP TABLE path_info_conflicts;

ALTER TABLE path_info_evidence RENAME TO path_info_conflicts;

CREATE INDEX path_info_conflicts_digest ON path_info_conflicts(digest);
