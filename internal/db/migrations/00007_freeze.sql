-- +goose Up
-- The stop-payment and freeze lifecycle (止付/冻结) on partner_requests, the
-- case timeline, the reminders sent before a term lapses, and the return of
-- frozen money (冻结资金返还): plans per frozen account, public notice,
-- objections and returns paid. See docs/FREEZE.md.

-- status of a stop_payment or freeze request: drafted | sent | seen |
-- confirmed | rejected | lapsed | released | renewed. sent_at is when it left
-- the centre (a draft has none); the legal term runs from term_starts_at to
-- expires_at (set when the bank confirms); prior_id is the earlier request
-- this one continues: the term a renewal extends, the freeze a release lifts.
ALTER TABLE partner_requests ADD COLUMN sent_at BIGINT;
ALTER TABLE partner_requests ADD COLUMN confirmed_at BIGINT;
ALTER TABLE partner_requests ADD COLUMN bank_ref TEXT NOT NULL DEFAULT '';
ALTER TABLE partner_requests ADD COLUMN term_starts_at BIGINT;
ALTER TABLE partner_requests ADD COLUMN expires_at BIGINT;
ALTER TABLE partner_requests ADD COLUMN ended_at BIGINT;
ALTER TABLE partner_requests ADD COLUMN prior_id BIGINT REFERENCES partner_requests(id);
UPDATE partner_requests SET sent_at = created_at WHERE status <> 'drafted';
CREATE INDEX partner_requests_expiry ON partner_requests(expires_at) WHERE status = 'confirmed';
CREATE INDEX partner_requests_prior ON partner_requests(prior_id);

-- The timeline of a case: freeze requests, answers, reminders, lapses,
-- return plans, notices, objections, payments.
CREATE TABLE case_events (
    id      {{.ID}},
    case_id BIGINT NOT NULL REFERENCES cases(id),
    at      BIGINT NOT NULL,
    kind    TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_events_case ON case_events(case_id, at);

-- One row per reminder sent: a term (request, expiry) gets each lead once,
-- even across restarts; a renewal is a new term and gets its own.
CREATE TABLE freeze_reminders (
    id         {{.ID}},
    request_id BIGINT NOT NULL REFERENCES partner_requests(id),
    expires_at BIGINT NOT NULL,
    lead_ms    BIGINT NOT NULL,
    sent_at    BIGINT NOT NULL,
    UNIQUE (request_id, expires_at, lead_ms)
);

-- A return plan: the Art. 8 calculation for one frozen account of a case,
-- fixed when the plan is made (calc is the JSON of funds.ReturnCalc).
-- status: draft | notice | executed | superseded.
CREATE TABLE return_plans (
    id               {{.ID}},
    case_id          BIGINT NOT NULL REFERENCES cases(id),
    request_id       BIGINT NOT NULL REFERENCES partner_requests(id),
    account          TEXT NOT NULL,
    frozen_fen       BIGINT NOT NULL,
    rule             TEXT NOT NULL,
    notice_days      BIGINT NOT NULL DEFAULT 0,
    calc             TEXT NOT NULL,
    status           TEXT NOT NULL DEFAULT 'draft',
    notice_starts_at BIGINT,
    notice_ends_at   BIGINT,
    executed_at      BIGINT,
    superseded_by    BIGINT REFERENCES return_plans(id),
    created_by       BIGINT REFERENCES users(id),
    created_at       BIGINT NOT NULL
);
CREATE INDEX return_plans_case ON return_plans(case_id);
CREATE INDEX return_plans_request ON return_plans(request_id);

CREATE TABLE return_objections (
    id          {{.ID}},
    plan_id     BIGINT NOT NULL REFERENCES return_plans(id),
    at          BIGINT NOT NULL,
    objector    TEXT NOT NULL,
    text        TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open', -- open | resolved
    resolution  TEXT NOT NULL DEFAULT '',
    resolved_at BIGINT,
    created_by  BIGINT REFERENCES users(id)
);
CREATE INDEX return_objections_plan ON return_objections(plan_id);

CREATE TABLE return_payments (
    id         {{.ID}},
    plan_id    BIGINT NOT NULL REFERENCES return_plans(id),
    victim_id  BIGINT NOT NULL REFERENCES victims(id),
    amount_fen BIGINT NOT NULL,
    paid_at    BIGINT NOT NULL,
    reference  TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX return_payments_plan ON return_payments(plan_id);
CREATE INDEX return_payments_paid ON return_payments(paid_at);

-- +goose Down
SELECT 1;
