-- +goose Up
-- 联席 extended: per-unit webhooks delivered through the outbox, stored
-- reminder/escalation timers of requests, reports partners submit into the
-- warning intake, joint meetings and the tasks they give member units.

-- One webhook per member unit: every request addressed to the unit is also
-- posted there (json-hmac, wecom or dingtalk), through the outbox.
CREATE TABLE unit_webhooks (
    id         {{.ID}},
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    url        TEXT NOT NULL,
    format     TEXT NOT NULL,            -- json | wecom | dingtalk
    secret     TEXT NOT NULL DEFAULT '', -- HMAC-SHA256 key of json deliveries
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX unit_webhooks_unit ON unit_webhooks(unit_id);
-- Outbox rows of a unit webhook are delivered in order per webhook, signed
-- with the webhook's current secret; the rows are its delivery log.
ALTER TABLE outbox ADD COLUMN webhook_id BIGINT REFERENCES unit_webhooks(id);
CREATE INDEX outbox_webhook ON outbox(webhook_id, id);

-- Timers of a request to a partner: announced to the unit's webhook,
-- reminded at its due time, escalated when still unanswered after a grace.
CREATE TABLE partner_request_timers (
    request_id   BIGINT PRIMARY KEY REFERENCES partner_requests(id),
    unit_id      BIGINT,
    announced_at BIGINT,
    remind_at    BIGINT,
    reminded_at  BIGINT,
    escalate_at  BIGINT,
    escalated_at BIGINT
);
CREATE INDEX partner_request_timers_remind ON partner_request_timers(reminded_at, remind_at);
CREATE INDEX partner_request_timers_escalate ON partner_request_timers(escalated_at, escalate_at);

-- What a partner submitted into the warning intake, and which warning it became.
CREATE TABLE partner_reports (
    id         {{.ID}},
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    kind       TEXT NOT NULL,  -- fund_warning | suspicious_txn | scam_number
    ref        TEXT NOT NULL,  -- the partner's own number
    warning_id BIGINT REFERENCES warnings(id),
    user_id    BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX partner_reports_ref ON partner_reports(unit_id, ref);

-- 联席会议 and the tasks they give member units.
CREATE TABLE joint_meetings (
    id         {{.ID}},
    held_at    BIGINT NOT NULL,
    title      TEXT NOT NULL,
    place      TEXT NOT NULL DEFAULT '',
    attendees  TEXT NOT NULL DEFAULT '', -- people present, free text
    decisions  TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX joint_meetings_held ON joint_meetings(held_at);
CREATE TABLE joint_meeting_units (
    meeting_id BIGINT NOT NULL REFERENCES joint_meetings(id),
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (meeting_id, unit_id)
);
CREATE TABLE joint_tasks (
    id         {{.ID}},
    meeting_id BIGINT REFERENCES joint_meetings(id),
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    title      TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    owner      TEXT NOT NULL DEFAULT '', -- the person responsible at the unit
    due_at     BIGINT,
    status     TEXT NOT NULL DEFAULT 'open', -- open | doing | done
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    done_at    BIGINT
);
CREATE INDEX joint_tasks_unit ON joint_tasks(unit_id, status);
CREATE INDEX joint_tasks_meeting ON joint_tasks(meeting_id);
CREATE TABLE joint_task_notes (
    id       {{.ID}},
    task_id  BIGINT NOT NULL REFERENCES joint_tasks(id),
    at       BIGINT NOT NULL,
    user_id  BIGINT REFERENCES users(id),
    by_unit  INTEGER NOT NULL DEFAULT 0, -- 1: written by the unit, 0: by the centre
    note     TEXT NOT NULL
);
CREATE INDEX joint_task_notes_task ON joint_task_notes(task_id, at);

-- +goose Down
SELECT 1;
