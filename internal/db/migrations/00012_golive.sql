-- +goose Up
-- Going live from an empty database: generation counters that tell every
-- process (and every replica) that something it caches has changed, and
-- retired nodes of the jurisdiction tree (they keep their history and stop
-- routing).

-- One row per cached thing (tree, roster, settings, …); a change bumps n in
-- the same transaction, and a reader that holds an older n reloads.
CREATE TABLE generations (
    name TEXT PRIMARY KEY,
    n    BIGINT NOT NULL DEFAULT 0
);

ALTER TABLE areas ADD COLUMN retired_at BIGINT;

-- +goose Down
SELECT 1;
