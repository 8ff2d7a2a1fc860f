-- Garbage collection (issue 7). Directories get a creation time like blobs: collection never
-- deletes one younger than its grace period (an upload is about to reference it); a re-put
-- refreshes it. Existing directories count as old (0).
ALTER TABLE directories ADD COLUMN created_at {{BIGINT}} NOT NULL DEFAULT 0;

-- Named pins: extra roots next to every PathInfo. A pin keeps the root node the path had when
-- it was pinned, so its content survives the deletion of the PathInfo.
CREATE TABLE gc_pins (
  name TEXT PRIMARY KEY,
  store_path TEXT NOT NULL,
  node {{BYTES}} NOT NULL,
  created_at {{BIGINT}} NOT NULL
);
