-- +goose Up
-- The duty roster edited in the console (docs/ROSTER.md): weekly patterns
-- that repeat indefinitely and are materialised ahead into duty_shifts,
-- leave that takes an officer off duty whatever the shifts say, and the
-- gap alerts already sent (one per gap, whatever the number of replicas).

-- Where a shift came from: manual (the console or the CLI), import (a
-- file), copy (copy forward), pattern (materialised from roster_patterns;
-- pattern_id set). A pattern's occurrence is unique, so two materialisers
-- running at once insert it once (INSERT … ON CONFLICT DO NOTHING).
ALTER TABLE duty_shifts ADD COLUMN source TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE duty_shifts ADD COLUMN pattern_id BIGINT;
ALTER TABLE duty_shifts ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX duty_shifts_pattern_start ON duty_shifts(pattern_id, starts_at);
CREATE INDEX duty_shifts_time ON duty_shifts(starts_at);

-- A weekly pattern: officer, duty, weekdays (bit 0 Monday … bit 6 Sunday),
-- start (minutes after midnight, Asia/Shanghai), length in minutes, from a
-- day and optionally until a day (both YYYY-MM-DD, inclusive, Shanghai).
CREATE TABLE roster_patterns (
    id           {{.ID}},
    area_id      BIGINT NOT NULL REFERENCES areas(id),
    user_id      BIGINT NOT NULL REFERENCES users(id),
    duty         TEXT NOT NULL,
    weekdays     BIGINT NOT NULL,
    start_minute BIGINT NOT NULL,
    minutes      BIGINT NOT NULL,
    from_day     TEXT NOT NULL,
    until_day    TEXT NOT NULL DEFAULT '',
    created_by   BIGINT,
    created_at   BIGINT NOT NULL,
    deleted_at   BIGINT
);
CREATE INDEX roster_patterns_area ON roster_patterns(area_id);

-- Occurrences of a pattern deleted or moved by hand: the materialiser does
-- not put them back.
CREATE TABLE roster_skips (
    pattern_id BIGINT NOT NULL,
    starts_at  BIGINT NOT NULL,
    PRIMARY KEY (pattern_id, starts_at)
);

-- Leave: the officer is off duty from starts_at to ends_at, whatever the
-- shifts and patterns say.
CREATE TABLE roster_leave (
    id         {{.ID}},
    user_id    BIGINT NOT NULL REFERENCES users(id),
    starts_at  BIGINT NOT NULL,
    ends_at    BIGINT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_by BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX roster_leave_user ON roster_leave(user_id, starts_at);
CREATE INDEX roster_leave_time ON roster_leave(starts_at);

-- Gaps announced to the escalation webhooks: one row per gap (node and
-- start), claimed with INSERT … ON CONFLICT DO NOTHING in the transaction
-- that enqueues the message.
CREATE TABLE roster_gap_alerts (
    id        {{.ID}},
    area_id   BIGINT NOT NULL REFERENCES areas(id),
    duty      TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT NOT NULL,
    sent_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX roster_gap_alerts_gap ON roster_gap_alerts(area_id, starts_at);

-- +goose Down
SELECT 1;
