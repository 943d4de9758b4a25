-- +goose Up
-- Bank statement import: saved column mappings (a user can add a bank's
-- dialect in the console), and where each stored row came from.
CREATE TABLE statement_mappings (
    id         {{.ID}},
    name       TEXT NOT NULL UNIQUE,
    spec       TEXT NOT NULL,   -- JSON of funds.Mapping
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
ALTER TABLE statement_rows ADD COLUMN source_row BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statement_imports ADD COLUMN encoding TEXT NOT NULL DEFAULT '';
ALTER TABLE statement_imports ADD COLUMN errors TEXT NOT NULL DEFAULT ''; -- JSON list of the first bad rows

-- +goose Down
SELECT 1;
