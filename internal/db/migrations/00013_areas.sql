-- +goose Up
-- The jurisdiction tree edited in the console: a merged node is retired and
-- remembers the node it went into (its records were moved there).
ALTER TABLE areas ADD COLUMN merged_into BIGINT REFERENCES areas(id);

-- +goose Down
SELECT 1;
