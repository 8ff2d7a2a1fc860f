-- Roles. Users created before roles existed could write attestations and reports and add
-- link patterns; they become writers (the least that keeps their builders working). An
-- operator makes an admin with `cairn user set-role NAME admin` or `cairn user create NAME
-- --role admin`.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'writer';
