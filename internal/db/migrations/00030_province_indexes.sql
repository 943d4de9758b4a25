-- +goose Up
-- A province's scale (docs/BENCHMARKS.md, "province"): the board counts the
-- warnings merged into each open one and a warning's timeline reads those of
-- the warnings merged into it. Without an index each was a scan of every
-- warning — 7–13 s for the province board's 54 open warnings over 60,000.
CREATE INDEX warnings_merged_into ON warnings(merged_into) WHERE merged_into IS NOT NULL;

-- +goose Down
DROP INDEX warnings_merged_into;
