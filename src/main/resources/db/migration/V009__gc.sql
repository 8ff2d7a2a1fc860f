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

-- At most one collection deletes at a time, across replicas: the holder renews its lease while
-- it works; a crashed holder's lease expires. (Two collectors could otherwise each finish the
-- other's deletes and mark a chunk deleted while the other still deletes it.)
CREATE TABLE gc_lease (
  id INTEGER PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at {{BIGINT}} NOT NULL
);
