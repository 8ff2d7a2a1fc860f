-- OCI registry: gzip/zstd renderings of store layers (registry.layer_compression), produced once
-- and kept as castore blobs so that Range works on them. layer_key is registry_layers.layer_key
-- (the diff_id is that row's digest); digest and size are those of the compressed bytes; blob is
-- the BLAKE3 digest of the castore blob holding them, a garbage-collection root (Marker) while
-- the row exists. used_at is refreshed by every resolution that lists the layer.
CREATE TABLE registry_compressed_layers (
  layer_key TEXT NOT NULL,
  compression TEXT NOT NULL,
  digest TEXT NOT NULL,
  size {{BIGINT}} NOT NULL,
  blob {{BYTES}} NOT NULL,
  used_at {{BIGINT}} NOT NULL,
  PRIMARY KEY (layer_key, compression)
);

CREATE INDEX registry_compressed_layers_digest ON registry_compressed_layers(digest);
