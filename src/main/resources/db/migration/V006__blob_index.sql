-- The blob -> chunks index, shared by every replica that shares the database (issue 7).
-- Every stored blob has a row in blobs and one row per chunk in blob_chunks (a blob of one
-- chunk lists itself), so "which chunks are referenced" is one column.
CREATE TABLE blobs (
  digest {{BYTES}} PRIMARY KEY,
  size {{BIGINT}} NOT NULL,
  chunk_count INTEGER NOT NULL,
  created_at {{BIGINT}} NOT NULL
);

CREATE TABLE blob_chunks (
  blob_digest {{BYTES}} NOT NULL,
  idx INTEGER NOT NULL,
  chunk_digest {{BYTES}} NOT NULL,
  chunk_size {{BIGINT}} NOT NULL,
  PRIMARY KEY (blob_digest, idx)
);

CREATE INDEX blob_chunks_by_chunk ON blob_chunks (chunk_digest);

-- Chunks garbage collection has decided to delete (deleting_at) and whether the delete has
-- finished. An upload that reused one of these chunks refuses to commit (see BlobIndex).
CREATE TABLE gc_tombstones (
  chunk_digest {{BYTES}} PRIMARY KEY,
  deleting_at {{BIGINT}} NOT NULL,
  deleted INTEGER NOT NULL
);
