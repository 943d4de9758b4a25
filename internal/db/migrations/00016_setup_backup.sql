-- +goose Up
-- First start and nightly backups.

-- One-time setup links: only the SHA-256 of the token is stored. A token is
-- good once, until expires_at; when the county is created every token is
-- voided (used_at set).
CREATE TABLE setup_tokens (
    id         {{.ID}},
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- The guard of the first start: the setup transaction inserts the one row
-- (id = 1) before it creates anything, so of two concurrent setups exactly
-- one commits; the other fails on the primary key.
CREATE TABLE setup_done (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    done_at    BIGINT NOT NULL,
    county_id  BIGINT NOT NULL,
    admin_user TEXT NOT NULL
);

-- Nightly backups: the replica that inserts the day's row makes the
-- archive; the others see the conflict and skip the day.
CREATE TABLE backup_runs (
    day         TEXT PRIMARY KEY,
    host        TEXT NOT NULL,
    started_at  BIGINT NOT NULL,
    finished_at BIGINT,
    file        TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE backup_runs;
DROP TABLE setup_done;
DROP TABLE setup_tokens;
