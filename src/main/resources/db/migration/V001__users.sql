-- Users (builders, operators) and their API tokens. Tokens are stored only as SHA-256.
CREATE TABLE users (
  id {{ID}},
  name TEXT NOT NULL UNIQUE,
  created_at {{BIGINT}} NOT NULL,
  revoked_at {{BIGINT}}
);

CREATE TABLE tokens (
  id {{ID}},
  user_id {{BIGINT}} NOT NULL REFERENCES users(id),
  token_sha256 {{BYTES}} NOT NULL UNIQUE,
  created_at {{BIGINT}} NOT NULL,
  revoked_at {{BIGINT}}
);

CREATE INDEX tokens_user ON tokens(user_id);
