-- OCI registry (issue 12). A store layer's digest and size, computed once by rendering it; the
-- key is the tar recipe version and the sorted store paths with their NAR hashes. store_paths
-- (one full path per line) is what a blob GET re-renders. used_at is refreshed by every
-- resolution that lists the layer, like registry_documents.used_at.
CREATE TABLE registry_layers (
  layer_key TEXT PRIMARY KEY,
  digest TEXT NOT NULL,
  size {{BIGINT}} NOT NULL,
  store_paths TEXT NOT NULL,
  used_at {{BIGINT}} NOT NULL
);

CREATE INDEX registry_layers_digest ON registry_layers(digest);

-- Small documents served by digest: manifests (one per media type), image configs and
-- customisation layers. used_at is refreshed whenever a resolution renders the document again;
-- garbage collection deletes what no image names and what has not been used for a while.
CREATE TABLE registry_documents (
  digest TEXT PRIMARY KEY,
  media_type TEXT NOT NULL,
  content {{BYTES}} NOT NULL,
  used_at {{BIGINT}} NOT NULL
);

-- The images (repository names) resolved so far, with the manifests their tag "latest" gave
-- last: the catalog, and the roots of the registry's garbage collection. The name is stored as
-- its UTF-8 bytes so that both dialects order it bytewise (the catalog pages in lexical order).
CREATE TABLE registry_images (
  repository {{BYTES}} PRIMARY KEY,
  oci_manifest TEXT NOT NULL,
  docker_manifest TEXT NOT NULL,
  resolved_at {{BIGINT}} NOT NULL
);
