-- +goose Up
-- Intake writes every warning with its indexes; indexes that only serve
-- rare lookups are made partial so most inserts never touch them:
-- "scam contact already in a case" only looks at warnings that became
-- cases, and the deadline sweeps only look at open warnings.
DROP INDEX warnings_scam_phone;
DROP INDEX warnings_scam_account;
DROP INDEX warnings_due;
DROP INDEX warnings_onsite_due;
DROP INDEX warnings_area_status;
CREATE INDEX warnings_scam_phone_case ON warnings(scam_phone) WHERE case_id IS NOT NULL;
CREATE INDEX warnings_contact_due_open ON warnings(contact_due_at) WHERE status = 'open';
CREATE INDEX warnings_onsite_due_open ON warnings(onsite_due_at) WHERE status = 'open' AND onsite_due_at IS NOT NULL;
CREATE INDEX warnings_area ON warnings(area_id);

-- +goose Down
SELECT 1;
