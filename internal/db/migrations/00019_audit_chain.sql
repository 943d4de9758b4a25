-- +goose Up
-- The audit log becomes tamper-evident: every row is chained to the one
-- before it by a SHA-256 (internal/auth/auditchain.go). Rows are inserted
-- unsealed (seq and hash NULL) by the transaction of the change they record,
-- so intake never waits on a global lock; a sealing pass run after commit
-- (every second by each server, and by `fanzha audit verify`) takes the
-- head row below FOR UPDATE, numbers the unsealed rows in id order
-- (seq 1, 2, 3 …) and stores hash = SHA-256(row fields, seq, previous hash).
-- The chain's order is seq, not id: on PostgreSQL a row with a smaller id
-- may commit after a larger one, and simply gets a later seq. Rows older
-- than this migration are chained by the first seal.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_log_seq ON audit_log(seq);
CREATE INDEX audit_log_unsealed ON audit_log(id) WHERE hash IS NULL;

-- The head of the chain: the last sealed seq and its hash. One row, id 1;
-- sealers serialise on it.
CREATE TABLE audit_chain (
    id        BIGINT PRIMARY KEY,
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL,
    sealed_at BIGINT NOT NULL
);
INSERT INTO audit_chain (id, seq, hash, sealed_at) VALUES (1, 0, '', 0);

-- Still append-only: the only UPDATE allowed is sealing, which sets seq and
-- hash of an unsealed row and changes nothing else. A later migration that
-- adds a column to audit_log must list it here too. On PostgreSQL TRUNCATE
-- is refused like DELETE.
{{if .SQLite}}
DROP TRIGGER audit_log_no_update;
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
WHEN OLD.hash IS NOT NULL OR OLD.seq IS NOT NULL OR NEW.hash IS NULL OR NEW.seq IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.user_id IS NOT OLD.user_id
  OR NEW.username IS NOT OLD.username OR NEW.role IS NOT OLD.role OR NEW.ip IS NOT OLD.ip
  OR NEW.action IS NOT OLD.action OR NEW.object_type IS NOT OLD.object_type
  OR NEW.object_id IS NOT OLD.object_id OR NEW.detail IS NOT OLD.detail
  OR NEW.request_id IS NOT OLD.request_id
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd
{{else}}
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND OLD.seq IS NULL
       AND NEW.hash IS NOT NULL AND NEW.seq IS NOT NULL
       AND ROW(NEW.id, NEW.at, NEW.user_id, NEW.username, NEW.role, NEW.ip, NEW.action,
               NEW.object_type, NEW.object_id, NEW.detail, NEW.request_id)
           IS NOT DISTINCT FROM
           ROW(OLD.id, OLD.at, OLD.user_id, OLD.username, OLD.role, OLD.ip, OLD.action,
               OLD.object_type, OLD.object_id, OLD.detail, OLD.request_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END; $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
{{end}}

-- +goose Down
SELECT 1;
