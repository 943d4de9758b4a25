-- +goose Up
-- Adding and correcting a case's parties after the report (internal/funds,
-- case_parties.go; docs/INVESTIGATION.md "Adding and correcting").

-- A losing transfer may be matched to the statement row that shows it (the
-- victim's outgoing row or the receiving account's incoming row); a row
-- matches one transfer at most.
ALTER TABLE case_transfers ADD COLUMN statement_row_id BIGINT REFERENCES statement_rows(id);
CREATE UNIQUE INDEX case_transfers_statement_row ON case_transfers(statement_row_id) WHERE statement_row_id IS NOT NULL;

-- Every change to a case's victims, transfers and linked accounts after the
-- report, oldest first: what it was before and after (JSON of the record),
-- why, and who. A removed transfer lives on here. The ids order the
-- changes; the trace marks below compare them.
CREATE TABLE case_party_changes (
    id         {{.ID}},
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL, -- victim_added | victim_corrected | transfer_added | transfer_corrected | transfer_removed | account_added
    subject_id BIGINT NOT NULL, -- the victim, transfer or linked account
    before_json TEXT NOT NULL DEFAULT '',
    after_json  TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    user_id    BIGINT REFERENCES users(id)
);
CREATE INDEX case_party_changes_case ON case_party_changes(case_id, id);

-- Accounts tied to a case by its investigation besides the receiving
-- accounts of its transfers (涉案账户): a suspect's card, a further mule
-- account, a payment-platform account.
CREATE TABLE case_accounts (
    id          {{.ID}},
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    account     TEXT NOT NULL,
    bank        TEXT NOT NULL DEFAULT '',
    holder_name TEXT NOT NULL DEFAULT '',
    kind        TEXT NOT NULL, -- receiving | suspect | mule | platform | other
    note        TEXT NOT NULL DEFAULT '',
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    UNIQUE (case_id, account)
);
CREATE INDEX case_accounts_account ON case_accounts(account);

-- When a case's trace inputs (victims, transfers) last changed and when its
-- trace was last looked at (shown, or used for a freeze): changed_id is the
-- newest case_party_changes row that changed the trace, seen_id the newest
-- one the last look included. seen_at NULL: never traced.
CREATE TABLE case_trace_marks (
    case_id    BIGINT PRIMARY KEY REFERENCES cases(id),
    changed_at BIGINT,
    changed_id BIGINT NOT NULL DEFAULT 0,
    seen_at    BIGINT,
    seen_id    BIGINT NOT NULL DEFAULT 0,
    seen_by    BIGINT REFERENCES users(id)
);

-- +goose Down
DROP TABLE case_trace_marks;
DROP TABLE case_accounts;
DROP TABLE case_party_changes;
DROP INDEX case_transfers_statement_row;
ALTER TABLE case_transfers DROP COLUMN statement_row_id;
