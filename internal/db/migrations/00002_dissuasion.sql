-- +goose Up
-- Warning workflow: re-contact after a merge, contact attempts, the outbox
-- of notifications (escalation webhooks), and requests to partner units
-- (emergency suspension of a card or number, later stop-payment and freeze).

-- last_intake_at: when the latest warning about this person arrived (a merge
-- moves it). last_contact_at: the latest contact attempt. A first-contact
-- deadline is met when a contact was made after the latest intake.
ALTER TABLE warnings ADD COLUMN last_intake_at BIGINT;
ALTER TABLE warnings ADD COLUMN last_contact_at BIGINT;
ALTER TABLE warnings ADD COLUMN score_detail TEXT NOT NULL DEFAULT '';
ALTER TABLE warnings ADD COLUMN handed_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX warnings_scam_phone ON warnings(scam_phone);
CREATE INDEX warnings_scam_account ON warnings(scam_account);
CREATE INDEX warnings_due ON warnings(status, contact_due_at);
CREATE INDEX warnings_onsite_due ON warnings(status, onsite_due_at);

-- Each attempt to reach the person at risk.
CREATE TABLE contacts (
    id         {{.ID}},
    warning_id BIGINT NOT NULL REFERENCES warnings(id),
    at         BIGINT NOT NULL,
    user_id    BIGINT REFERENCES users(id),
    method     TEXT NOT NULL,  -- call | sms | visit | bank_counter | family | other
    result     TEXT NOT NULL,  -- reached | no_answer | refused | wrong_number | at_risk | safe
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX contacts_warning ON contacts(warning_id, at);

-- Notifications waiting to be delivered (webhooks, group robots). Written in
-- the same transaction as the event they announce, delivered by a worker
-- with retries, so a notification is never lost to a crash.
CREATE TABLE outbox (
    id           {{.ID}},
    kind         TEXT NOT NULL,     -- escalation | …
    target       TEXT NOT NULL,     -- URL
    format       TEXT NOT NULL,     -- json | wecom | dingtalk
    payload      TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_at      BIGINT NOT NULL,
    delivered_at BIGINT,
    last_error   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_pending ON outbox(delivered_at, next_at);

-- Requests from the centre to a partner unit (bank, operator): emergency
-- suspension of a victim's card or number, stop-payment, freeze, release,
-- queries. Each answer flows back to the warning or case that asked.
CREATE TABLE partner_requests (
    id          {{.ID}},
    kind        TEXT NOT NULL,   -- suspend_card | suspend_number | stop_payment | freeze | release | query | holder_check
    unit_id     BIGINT REFERENCES units(id),
    warning_id  BIGINT REFERENCES warnings(id),
    case_id     BIGINT REFERENCES cases(id),
    account     TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    amount_fen  BIGINT NOT NULL DEFAULT 0,
    reason      TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'sent', -- drafted | sent | seen | done | refused | lapsed | released
    due_at      BIGINT,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    answered_at BIGINT,
    result      TEXT NOT NULL DEFAULT '',
    result_fen  BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX partner_requests_unit ON partner_requests(unit_id, status);
CREATE INDEX partner_requests_warning ON partner_requests(warning_id);
CREATE INDEX partner_requests_case ON partner_requests(case_id);

-- +goose Down
SELECT 1;
