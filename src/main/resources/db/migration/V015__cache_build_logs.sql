-- Build logs of the binary cache (PUT/GET /log/<drv basename>, `nix store copy-log --to`,
-- `nix log`): the log is a blob in castore; this maps the derivation to it. A later upload of
-- the same derivation's log replaces the mapping. Every blob named here is a GC root (Marker).
CREATE TABLE cache_build_logs (
  drv TEXT PRIMARY KEY,
  blob {{BYTES}} NOT NULL,
  size {{BIGINT}} NOT NULL,
  created_at {{BIGINT}} NOT NULL
);
