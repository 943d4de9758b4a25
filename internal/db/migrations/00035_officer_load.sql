-- +goose Up
-- Open load per officer (internal/warning/assign_load.go): the number of
-- open warnings assigned to each user, kept in the database so that every
-- replica assigns by the same truth. Intake reads it inside its transaction
-- (on PostgreSQL under a per-station advisory lock) instead of a per-process
-- cache. The triggers keep it equal to
--   SELECT assignee_id, COUNT(*) FROM warnings WHERE status = 'open' GROUP BY assignee_id
-- whatever changes a warning: intake, 下一条, handover, outcome, the demo
-- generator, a restore. It is derived data: backups leave it out and the
-- triggers rebuild it as the warnings are loaded.
CREATE TABLE officer_load (
    user_id    BIGINT PRIMARY KEY,
    open_count BIGINT NOT NULL DEFAULT 0
);

INSERT INTO officer_load (user_id, open_count)
SELECT assignee_id, COUNT(*) FROM warnings WHERE status = 'open' AND assignee_id IS NOT NULL GROUP BY assignee_id;

{{if .SQLite}}
-- SQLite has one writer at a time: a row trigger costs a few microseconds
-- and holds no lock another writer could wait for.
-- +goose StatementBegin
CREATE TRIGGER warnings_load_insert AFTER INSERT ON warnings
WHEN NEW.status = 'open' AND NEW.assignee_id IS NOT NULL
BEGIN
    INSERT INTO officer_load (user_id, open_count) VALUES (NEW.assignee_id, 1)
    ON CONFLICT (user_id) DO UPDATE SET open_count = open_count + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER warnings_load_update AFTER UPDATE OF status, assignee_id ON warnings
WHEN ((OLD.status = 'open' AND OLD.assignee_id IS NOT NULL) OR (NEW.status = 'open' AND NEW.assignee_id IS NOT NULL))
 AND (OLD.status IS NOT NEW.status OR OLD.assignee_id IS NOT NEW.assignee_id)
BEGIN
    UPDATE officer_load SET open_count = open_count - 1
    WHERE OLD.status = 'open' AND user_id = OLD.assignee_id;
    INSERT INTO officer_load (user_id, open_count)
    SELECT NEW.assignee_id, 1 WHERE NEW.status = 'open' AND NEW.assignee_id IS NOT NULL
    ON CONFLICT (user_id) DO UPDATE SET open_count = open_count + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER warnings_load_delete AFTER DELETE ON warnings
WHEN OLD.status = 'open' AND OLD.assignee_id IS NOT NULL
BEGIN
    UPDATE officer_load SET open_count = open_count - 1 WHERE user_id = OLD.assignee_id;
END;
-- +goose StatementEnd
{{else}}
-- On PostgreSQL a statement trigger applies the net change of a whole
-- statement in one upsert, its rows locked in ascending user order (a
-- 5,000-row insert changes a few rows, not 5,000 row versions). Intake
-- sets fanzha.load_counted in its transaction and writes its own change at
-- the end of the transaction, after the warnings' rows: an officer's load
-- row is then always the last lock a transaction takes, so closing a
-- warning while a merge into it is stored cannot deadlock.
-- +goose StatementBegin
CREATE FUNCTION warnings_load_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('fanzha.load_counted', true) = '1' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO officer_load (user_id, open_count)
        SELECT assignee_id, COUNT(*) FROM load_new WHERE status = 'open' AND assignee_id IS NOT NULL
        GROUP BY assignee_id ORDER BY assignee_id
        ON CONFLICT (user_id) DO UPDATE SET open_count = officer_load.open_count + EXCLUDED.open_count;
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO officer_load (user_id, open_count)
        SELECT user_id, SUM(d) FROM (
            SELECT assignee_id AS user_id, -1 AS d FROM load_old WHERE status = 'open' AND assignee_id IS NOT NULL
            UNION ALL
            SELECT assignee_id, 1 FROM load_new WHERE status = 'open' AND assignee_id IS NOT NULL) x
        GROUP BY user_id HAVING SUM(d) <> 0 ORDER BY user_id
        ON CONFLICT (user_id) DO UPDATE SET open_count = officer_load.open_count + EXCLUDED.open_count;
    ELSE
        INSERT INTO officer_load (user_id, open_count)
        SELECT assignee_id, -COUNT(*) FROM load_old WHERE status = 'open' AND assignee_id IS NOT NULL
        GROUP BY assignee_id ORDER BY assignee_id
        ON CONFLICT (user_id) DO UPDATE SET open_count = officer_load.open_count + EXCLUDED.open_count;
    END IF;
    RETURN NULL;
END; $$;
-- +goose StatementEnd
CREATE TRIGGER warnings_load_insert AFTER INSERT ON warnings
REFERENCING NEW TABLE AS load_new FOR EACH STATEMENT EXECUTE FUNCTION warnings_load_change();
CREATE TRIGGER warnings_load_update AFTER UPDATE ON warnings
REFERENCING OLD TABLE AS load_old NEW TABLE AS load_new FOR EACH STATEMENT EXECUTE FUNCTION warnings_load_change();
CREATE TRIGGER warnings_load_delete AFTER DELETE ON warnings
REFERENCING OLD TABLE AS load_old FOR EACH STATEMENT EXECUTE FUNCTION warnings_load_change();
{{end}}

-- +goose Down
SELECT 1;
