-- +goose Up
-- Province scale (docs/BENCHMARKS.md, "province").
--
-- A county's or station's newest-first warning list reads node by node
-- (warning.List, scopeNewestClause): the newest ids of each node's own
-- warnings and of those its station handles. (area_id, id) replaces the
-- plain area_id index, which it covers.
CREATE INDEX warnings_area_id ON warnings(area_id, id);
CREATE INDEX warnings_station_id ON warnings(station_id, id);
DROP INDEX warnings_area;

-- The intel graph's fingerprint (intel.GraphGeneration) reads, per table
-- the graph is built from, the highest id (a new row), the latest
-- updated_at of warnings and cases (an edit) — each one step down an index
-- — and the counter 'graph_deletes', bumped by the triggers below whenever
-- a row of those tables is deleted, by whatever process.
CREATE INDEX warnings_updated ON warnings(updated_at);
CREATE INDEX cases_updated ON cases(updated_at);
INSERT INTO generations (name, n) VALUES ('graph_deletes', 0) ON CONFLICT (name) DO NOTHING;
{{if .SQLite}}
-- +goose StatementBegin
CREATE TRIGGER warnings_graph_delete AFTER DELETE ON warnings BEGIN UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER cases_graph_delete AFTER DELETE ON cases BEGIN UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER victims_graph_delete AFTER DELETE ON victims BEGIN UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER case_transfers_graph_delete AFTER DELETE ON case_transfers BEGIN UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER statement_rows_graph_delete AFTER DELETE ON statement_rows BEGIN UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes'; END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER accounts_graph_delete AFTER DELETE ON accounts BEGIN UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes'; END;
-- +goose StatementEnd
{{else}}
-- +goose StatementBegin
CREATE FUNCTION graph_deletes_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE generations SET n = n + 1 WHERE name = 'graph_deletes';
    RETURN NULL;
END; $$;
-- +goose StatementEnd
CREATE TRIGGER warnings_graph_delete AFTER DELETE ON warnings FOR EACH STATEMENT EXECUTE FUNCTION graph_deletes_bump();
CREATE TRIGGER cases_graph_delete AFTER DELETE ON cases FOR EACH STATEMENT EXECUTE FUNCTION graph_deletes_bump();
CREATE TRIGGER victims_graph_delete AFTER DELETE ON victims FOR EACH STATEMENT EXECUTE FUNCTION graph_deletes_bump();
CREATE TRIGGER case_transfers_graph_delete AFTER DELETE ON case_transfers FOR EACH STATEMENT EXECUTE FUNCTION graph_deletes_bump();
CREATE TRIGGER statement_rows_graph_delete AFTER DELETE ON statement_rows FOR EACH STATEMENT EXECUTE FUNCTION graph_deletes_bump();
CREATE TRIGGER accounts_graph_delete AFTER DELETE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION graph_deletes_bump();
{{end}}

-- +goose Down
DROP TRIGGER accounts_graph_delete{{if .Postgres}} ON accounts{{end}};
DROP TRIGGER statement_rows_graph_delete{{if .Postgres}} ON statement_rows{{end}};
DROP TRIGGER case_transfers_graph_delete{{if .Postgres}} ON case_transfers{{end}};
DROP TRIGGER victims_graph_delete{{if .Postgres}} ON victims{{end}};
DROP TRIGGER cases_graph_delete{{if .Postgres}} ON cases{{end}};
DROP TRIGGER warnings_graph_delete{{if .Postgres}} ON warnings{{end}};
{{if .Postgres}}DROP FUNCTION graph_deletes_bump();{{end}}
DELETE FROM generations WHERE name = 'graph_deletes';
DROP INDEX cases_updated;
DROP INDEX warnings_updated;
CREATE INDEX warnings_area ON warnings(area_id);
DROP INDEX warnings_station_id;
DROP INDEX warnings_area_id;
