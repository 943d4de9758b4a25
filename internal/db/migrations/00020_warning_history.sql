-- +goose Up
-- The figures of past days (internal/warning/figures_cache.go) are read once
-- into memory by each server and kept while the generation counter
-- 'warning_history' stands still. The triggers below bump it whenever a
-- warning received more than 24 hours ago, by the database's clock, is
-- inserted, changed in a column the figures read, or deleted — whichever
-- process or replica makes the change, and whatever code path. A server
-- caches only days that ended more than 25 hours before the database's clock
-- (the hour is the margin for a write transaction still open while a server
-- reads), so
-- every change to a cached row bumps the counter; warnings of the last day or
-- two are read live and their changes cost nothing here.
--
-- The database's clock, in Unix milliseconds: one definition for the
-- triggers and for the servers (SELECT ms FROM db_clock).
{{if .SQLite}}
CREATE VIEW db_clock AS SELECT CAST(strftime('%s', 'now') AS INTEGER) * 1000 AS ms;
{{else}}
CREATE VIEW db_clock AS SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT AS ms;
{{end}}

INSERT INTO generations (name, n) VALUES ('warning_history', 0) ON CONFLICT (name) DO NOTHING;

-- A column added to the figures (warning.historyRow) must be added to the
-- UPDATE OF lists too.
{{if .SQLite}}
-- +goose StatementBegin
CREATE TRIGGER warnings_history_insert AFTER INSERT ON warnings
WHEN NEW.received_at < CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 86400000
BEGIN UPDATE generations SET n = n + 1 WHERE name = 'warning_history'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER warnings_history_update AFTER UPDATE OF received_at, area_id, station_id, grade, source, status,
    outcome, kept_fen, contact_due_at, first_contact_at, onsite_due_at, onsite_at, escalated_at ON warnings
WHEN OLD.received_at < CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 86400000
  OR NEW.received_at < CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 86400000
BEGIN UPDATE generations SET n = n + 1 WHERE name = 'warning_history'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER warnings_history_delete AFTER DELETE ON warnings
WHEN OLD.received_at < CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 86400000
BEGIN UPDATE generations SET n = n + 1 WHERE name = 'warning_history'; END;
-- +goose StatementEnd
{{else}}
-- On PostgreSQL the bump runs at commit (a deferred constraint trigger), so
-- the counter's row is the last lock a transaction takes — no new deadlock
-- between two transactions changing warnings in different orders — and only
-- once per transaction (a transaction-local setting remembers it).
-- +goose StatementBegin
CREATE FUNCTION warnings_history_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fanzha.warning_history_bumped', true) IS DISTINCT FROM '1' THEN
        UPDATE generations SET n = n + 1 WHERE name = 'warning_history';
        PERFORM set_config('fanzha.warning_history_bumped', '1', true);
    END IF;
    RETURN NULL;
END; $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER warnings_history_insert AFTER INSERT ON warnings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (NEW.received_at < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - 86400000)
EXECUTE FUNCTION warnings_history_bump();
CREATE CONSTRAINT TRIGGER warnings_history_update AFTER UPDATE OF received_at, area_id, station_id, grade, source, status,
    outcome, kept_fen, contact_due_at, first_contact_at, onsite_due_at, onsite_at, escalated_at ON warnings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (OLD.received_at < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - 86400000
   OR NEW.received_at < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - 86400000)
EXECUTE FUNCTION warnings_history_bump();
CREATE CONSTRAINT TRIGGER warnings_history_delete AFTER DELETE ON warnings
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
WHEN (OLD.received_at < (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - 86400000)
EXECUTE FUNCTION warnings_history_bump();
{{end}}

-- +goose Down
SELECT 1;
