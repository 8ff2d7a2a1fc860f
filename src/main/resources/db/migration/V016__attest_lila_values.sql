-- lila's placeholder values on the lila-compatible routes (issue 13). An output whose
-- /nix/store/<digest>-<name> is not a store path (lila's own tests post "test123" / "hello")
-- is recorded with its digest here; NULL for every store path. Such rows never take part in
-- signature checks or Frankenbuild analysis; /signatures/{user}/{digest}.narinfo finds them
-- by this column (store paths by the hash-part index of V005).
ALTER TABLE outputs ADD COLUMN placeholder_digest TEXT;
CREATE INDEX outputs_placeholder_digest ON outputs (placeholder_digest) WHERE placeholder_digest IS NOT NULL;

-- How many times a builder reported this hash for this output on lila's POST /attestation
-- (lila keeps one row per POST and its GET /derivations/{drv} counts them). Verdicts still
-- count a builder once; /api/v1 batches are idempotent and never add to it.
ALTER TABLE attestations ADD COLUMN reports {{BIGINT}} NOT NULL DEFAULT 1;
