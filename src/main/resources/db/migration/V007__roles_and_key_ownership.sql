-- Roles. Users created before roles existed could write attestations and reports and add
-- link patterns; they become writers (the least that keeps their builders working). An
-- operator makes an admin with `cairn user set-role NAME admin` or `cairn user create NAME
-- --role admin`.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'writer';

-- One owner per builder key. Keys registered from now on carry their name and their 32
-- bytes (base64) in columns of their own, unique across all users: two users can no longer
-- hold one key, nor one key name. Rows from before stay (NULL in both, so the unique indexes
-- ignore them); registration compares against them in code, and verdicts count a signature
-- once per key even when such old rows give one key to two users.
ALTER TABLE user_keys ADD COLUMN key_name TEXT;
ALTER TABLE user_keys ADD COLUMN key_bytes TEXT;
CREATE UNIQUE INDEX user_keys_name ON user_keys(key_name);
CREATE UNIQUE INDEX user_keys_bytes ON user_keys(key_bytes);

-- Proof of possession: a server-issued nonce the builder signs with the key it registers.
-- In the database so that any replica can check a challenge another one issued; single use
-- (deleted when used) and short-lived.
CREATE TABLE key_challenges (
  nonce TEXT PRIMARY KEY,
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  expires_at {{BIGINT}} NOT NULL
);

CREATE INDEX key_challenges_expiry ON key_challenges(expires_at);
