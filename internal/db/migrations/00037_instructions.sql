-- +goose Up
-- 指令闭环 (internal/instruction): the instructions that reach the county
-- from upper centres, banks and operators, their sign (签收) and feedback
-- (反馈) deadlines, the feedback reports sent back (one version per change,
-- 续报), and the follow-up calls (回访) after a successful dissuasion.
-- docs/INSTRUCTIONS.md describes the states, deadlines and the file layout.

-- One row per warning that came as an instruction (keyed by the warning, a
-- side table of warnings written by the intake's callers). level: ministry |
-- province | city | county | bank | operator. Deadlines are columns; the
-- watcher claims a breach by a conditional UPDATE of *_escalated_at.
CREATE TABLE instructions (
    warning_id            BIGINT PRIMARY KEY REFERENCES warnings(id),
    level                 TEXT NOT NULL,
    number                TEXT NOT NULL,
    issuer                TEXT NOT NULL DEFAULT '',
    received_at           BIGINT NOT NULL,
    sign_due_at           BIGINT NOT NULL,
    feedback_due_at       BIGINT NOT NULL,
    signed_at             BIGINT,
    signed_by             BIGINT REFERENCES users(id),
    sign_mode             TEXT NOT NULL DEFAULT '', -- auto | manual, once signed
    fed_back_at           BIGINT,                   -- the first feedback report
    feedback_version      BIGINT NOT NULL DEFAULT 0,
    sign_escalated_at     BIGINT,
    feedback_escalated_at BIGINT,
    created_at            BIGINT NOT NULL,
    UNIQUE (level, number)
);
CREATE INDEX instructions_feedback_due ON instructions(fed_back_at, feedback_due_at);
CREATE INDEX instructions_sign_due ON instructions(signed_at, sign_due_at);

-- Each feedback report sent: version 1 is the first report, a higher
-- version a 续报 sent because the result changed. digest is the hash of the
-- report's content (the same content is never sent twice).
CREATE TABLE instruction_reports (
    id         {{.ID}},
    warning_id BIGINT NOT NULL REFERENCES instructions(warning_id),
    version    BIGINT NOT NULL,
    door       TEXT NOT NULL,  -- file | webhook | nats
    payload    TEXT NOT NULL,  -- the report as JSON
    digest     TEXT NOT NULL,
    user_id    BIGINT REFERENCES users(id),
    sent_at    BIGINT NOT NULL,
    UNIQUE (warning_id, version)
);

-- Follow-up calls (回访) after a successful dissuasion of a fund or high-risk
-- warning, on the dissuader's list: seq 1, 2 … at the configured offsets.
CREATE TABLE followups (
    id         {{.ID}},
    warning_id BIGINT NOT NULL REFERENCES warnings(id),
    seq        BIGINT NOT NULL,
    user_id    BIGINT REFERENCES users(id),
    due_at     BIGINT NOT NULL,
    done_at    BIGINT,
    done_by    BIGINT REFERENCES users(id),
    result     TEXT NOT NULL DEFAULT '', -- safe | at_risk | defrauded | unreachable
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    UNIQUE (warning_id, seq)
);
CREATE INDEX followups_user_due ON followups(user_id, done_at, due_at);

-- The defrauded-after-dissuasion rate and a person's history find the cases
-- of a warning's person by the victim's phone or ID number.
CREATE INDEX victims_phone ON victims(phone);
CREATE INDEX victims_id_number ON victims(id_number);

-- +goose Down
SELECT 1;
