-- +goose Up
-- Intake re-reads the open load per officer every few seconds; a partial
-- index over open warnings keeps that read small as the history grows.
DROP INDEX warnings_assignee;
CREATE INDEX warnings_assignee_open ON warnings(assignee_id) WHERE status = 'open';

-- +goose Down
SELECT 1;
