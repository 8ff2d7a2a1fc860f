-- Attestation inserts without per-row foreign-key checks (docs/DEVELOPING.md, Attestations):
-- the three checks were 39% of an insert's time, and the one on users took FOR KEY SHARE on the
-- writer's own row for every row written. The writer resolves every id itself and users,
-- derivations and outputs are never deleted, so the application keeps these references
-- (AttestationIntegrityTest). PostgreSQL drops the constraints in place; SQLite rebuilds the
-- table (its own variant of this migration). Same columns, ids and rows in both.
ALTER TABLE attestations DROP CONSTRAINT attestations_user_id_fkey;

ALTER TABLE attestations DROP CONSTRAINT attestations_drv_id_fkey;

ALTER TABLE attestations DROP CONSTRAINT attestations_output_id_fkey;

-- One index fewer per row: the unique key leads with output_id, so it also serves every read
-- by output (reports, votes, the rebuild queue) that attestations_output served.
CREATE UNIQUE INDEX attestations_output_user_hash ON attestations (output_id, user_id, output_hash);

ALTER TABLE attestations DROP CONSTRAINT attestations_user_id_output_id_output_hash_key;

DROP INDEX attestations_output;
