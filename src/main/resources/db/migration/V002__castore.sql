-- castore directories (canonical protobuf encoding, keyed by BLAKE3 digest) and cached NAR renderings.
CREATE TABLE directories (
  digest {{BYTES}} PRIMARY KEY,
  data {{BYTES}} NOT NULL
);

CREATE TABLE nar_calculations (
  node_key {{BYTES}} PRIMARY KEY,
  nar_size {{BIGINT}} NOT NULL,
  nar_sha256 {{BYTES}} NOT NULL
);
