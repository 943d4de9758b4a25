-- +goose Up
-- Province scale, the leftovers of issue 22 item 7 (docs/BENCHMARKS.md,
-- "province").
--
-- The area a member unit serves (a bank's county branch: its county). A
-- freeze or stop-payment request made from a case's fund trace goes to the
-- bank's unit serving the case's county, or the nearest ancestor that has
-- one (partner.BankUnitOf); NULL: a unit bound to no area, as before.
ALTER TABLE units ADD COLUMN area_id BIGINT REFERENCES areas(id);
CREATE INDEX units_area ON units(area_id) WHERE area_id IS NOT NULL;

-- The centres (province, cities, counties) among a province's 100,000
-- nodes, for the unit form's area picker (area.Centres).
CREATE INDEX areas_level ON areas(level);

-- 两卡研判's busiest accounts (intel.BusiestAccounts) are the top of each
-- account's money in, kept per account on import (funds.NoteStatementRows)
-- instead of summed over every statement row of the province on each view;
-- and the accounts each import stored rows of, so that "on statements its
-- users imported" (intel's visibleAccounts) reads one row per account and
-- import instead of every statement row.
ALTER TABLE statement_accounts ADD COLUMN in_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statement_accounts ADD COLUMN out_fen BIGINT NOT NULL DEFAULT 0;
ALTER TABLE statement_accounts ADD COLUMN counters BIGINT NOT NULL DEFAULT 0;
-- Each account's distinct counterparties, so that an import adds to
-- counters only the new ones.
CREATE TABLE statement_account_counters (
    account TEXT NOT NULL,
    counter TEXT NOT NULL,
    PRIMARY KEY (account, counter)
);
INSERT INTO statement_account_counters (account, counter)
    SELECT DISTINCT account, counter_account FROM statement_rows;
UPDATE statement_accounts SET
    in_fen = COALESCE((SELECT SUM(s.amount_fen) FROM statement_rows s WHERE s.account = statement_accounts.account AND s.amount_fen > 0), 0),
    out_fen = COALESCE((SELECT -SUM(s.amount_fen) FROM statement_rows s WHERE s.account = statement_accounts.account AND s.amount_fen < 0), 0),
    counters = (SELECT COUNT(*) FROM statement_account_counters c WHERE c.account = statement_accounts.account);
CREATE INDEX statement_accounts_in ON statement_accounts(in_fen DESC, account);
CREATE TABLE statement_import_accounts (
    import_id BIGINT NOT NULL REFERENCES statement_imports(id),
    account   TEXT NOT NULL,
    PRIMARY KEY (import_id, account)
);
INSERT INTO statement_import_accounts (import_id, account)
    SELECT DISTINCT import_id, account FROM statement_rows WHERE import_id IS NOT NULL;
-- "named in its warnings": the few warnings that name a scam account, by
-- area, instead of a scan of every warning.
CREATE INDEX warnings_scam_account ON warnings(area_id, scam_account) WHERE scam_account <> '';

-- The outlet ranking reads the watched accounts and phones (2,000 of
-- 16,000 scores on three counties): from this index instead of the scores'
-- table with each one's explanation (27 MB on three counties).
CREATE INDEX intel_scores_watched ON intel_scores(kind, subject) WHERE watch = 1;

{{if .Postgres}}
-- Every subtree query filters by areas.path LIKE '/1/2/%'. In a database
-- whose collation is not C (C.UTF-8 included, on PostgreSQL 15) the plain
-- index on path cannot serve a LIKE prefix, so each was a scan of every
-- node — 100,000 of them in a province of 100 counties.
CREATE INDEX areas_path_pattern ON areas(path text_pattern_ops);
{{end}}

-- +goose Down
{{if .Postgres}}DROP INDEX areas_path_pattern;{{end}}
DROP INDEX warnings_scam_account;
DROP INDEX intel_scores_watched;
DROP TABLE statement_import_accounts;
DROP TABLE statement_account_counters;
DROP INDEX statement_accounts_in;
ALTER TABLE statement_accounts DROP COLUMN counters;
ALTER TABLE statement_accounts DROP COLUMN out_fen;
ALTER TABLE statement_accounts DROP COLUMN in_fen;
DROP INDEX areas_level;
DROP INDEX units_area;
-- SQLite cannot drop a column with a foreign key; the column stays there.
{{if .Postgres}}ALTER TABLE units DROP COLUMN area_id;{{end}}
