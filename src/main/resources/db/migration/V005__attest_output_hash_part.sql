-- Outputs by store-path hash part (GET /signatures/{user}/{hash}.narinfo). A range on the
-- full path only works under a bytewise collation; PostgreSQL databases created with a
-- linguistic collation (en_US.UTF-8) order '-' and '.' differently. "/nix/store/" is 11
-- characters, so the 32-character hash part starts at character 12.
CREATE INDEX outputs_hash_part ON outputs (substr(path, 12, 32));
