-- +goose Up
-- One row per account that has statement rows: how many, and the
-- statements generation (generations 'statements') of the import that last
-- added rows to it. A case trace reads it before loading an account's
-- statement: an account absent here has none, one with very many rows (a
-- payment platform's settlement account) is a stop rather than traced row
-- by row, and a cached trace stays valid while none of the accounts it
-- read got rows since (internal/funds/trace_case.go, trace_cache.go).
CREATE TABLE statement_accounts (
    account   TEXT PRIMARY KEY,
    row_count BIGINT NOT NULL,
    gen       BIGINT NOT NULL DEFAULT 0
);
INSERT INTO statement_accounts (account, row_count, gen)
    SELECT account, COUNT(*), 0 FROM statement_rows GROUP BY account;

-- +goose Down
SELECT 1;
