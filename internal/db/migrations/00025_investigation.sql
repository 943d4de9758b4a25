-- +goose Up
-- 侦办与打击 (internal/investigation): the case lifecycle and the suspects
-- with their dispositions. docs/INVESTIGATION.md describes the states,
-- transitions and figures.

-- The lifecycle state of a case (接报 … 结案), one row per case a step was
-- asked on (its row is locked while a step is taken); a case without a row
-- is still 接报 (reported). cases.status
-- keeps the coarse status (open | investigating | solved | closed) the case
-- list and the assignment load read, written by funds.SetCaseStatus when the
-- lifecycle moves.
CREATE TABLE case_states (
    case_id    BIGINT PRIMARY KEY REFERENCES cases(id),
    state      TEXT NOT NULL,
    since      BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX case_states_state ON case_states(state);

-- Every lifecycle step asked for: done at once, or pending a leader's
-- approval (then approved or rejected). at is the step's effective date
-- as the officer gives it; doc_no the legal document (立案决定书 …).
CREATE TABLE case_transitions (
    id            {{.ID}},
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    action        TEXT NOT NULL,
    from_state    TEXT NOT NULL,
    to_state      TEXT NOT NULL,
    at            BIGINT NOT NULL,
    doc_no        TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL, -- done | pending | rejected
    user_id       BIGINT REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    decided_by    BIGINT REFERENCES users(id),
    decided_at    BIGINT,
    decision_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_transitions_case ON case_transitions(case_id, id);
CREATE INDEX case_transitions_done ON case_transitions(action, status, at);

-- A suspect (犯罪嫌疑人) as a person, who may be on several cases.
CREATE TABLE suspects (
    id         {{.ID}},
    name       TEXT NOT NULL DEFAULT '',
    id_number  TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL, -- organiser | mule | card_farmer | score_runner | traffic | other
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX suspects_id_number ON suspects(id_number);

-- A suspect's phone numbers and accounts.
CREATE TABLE suspect_numbers (
    id         {{.ID}},
    suspect_id BIGINT NOT NULL REFERENCES suspects(id),
    kind       TEXT NOT NULL, -- phone | account
    number     TEXT NOT NULL,
    UNIQUE (suspect_id, kind, number)
);
CREATE INDEX suspect_numbers_number ON suspect_numbers(number);

-- The cases a suspect is on.
CREATE TABLE suspect_cases (
    suspect_id BIGINT NOT NULL REFERENCES suspects(id),
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    PRIMARY KEY (suspect_id, case_id)
);
CREATE INDEX suspect_cases_case ON suspect_cases(case_id);

-- What was done to a suspect, on a case: 抓获, 刑事拘留, 逮捕, 取保候审,
-- 移送起诉, 判决, 行政处罚, 训诫 (kind codes in internal/investigation).
CREATE TABLE suspect_dispositions (
    id         {{.ID}},
    suspect_id BIGINT NOT NULL REFERENCES suspects(id),
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,
    at         BIGINT NOT NULL,
    unit       TEXT NOT NULL DEFAULT '',
    place      TEXT NOT NULL DEFAULT '',
    doc_no     TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX suspect_dispositions_suspect ON suspect_dispositions(suspect_id, at);
CREATE INDEX suspect_dispositions_case ON suspect_dispositions(case_id);
CREATE INDEX suspect_dispositions_kind ON suspect_dispositions(kind, at);

-- Cases already past 接报 keep their coarse status as a lifecycle state.
INSERT INTO case_states (case_id, state, since, updated_at)
SELECT id, CASE status WHEN 'investigating' THEN 'investigating' WHEN 'solved' THEN 'solved' ELSE 'closed' END,
       updated_at, updated_at
FROM cases WHERE status IN ('investigating', 'solved', 'closed');

-- Suspects recorded per case before this migration (funds' case_suspects)
-- become persons on their case, with the same ids; the two roles the new
-- list does not have are kept in the note.
INSERT INTO suspects (id, name, id_number, role, note, created_by, created_at, updated_at)
SELECT id, name, UPPER(id_number),
       CASE role WHEN 'organiser' THEN 'organiser' WHEN 'money_mule' THEN 'mule' WHEN 'card_holder' THEN 'card_farmer' ELSE 'other' END,
       CASE role WHEN 'caller' THEN TRIM(note || ' （原登记角色：实施诈骗（话务/聊天））')
                 WHEN 'card_seller' THEN TRIM(note || ' （原登记角色：收购、贩卖两卡）') ELSE note END,
       created_by, created_at, created_at
FROM case_suspects;
INSERT INTO suspect_cases (suspect_id, case_id, created_by, created_at)
SELECT id, case_id, created_by, created_at FROM case_suspects;
INSERT INTO suspect_numbers (suspect_id, kind, number) SELECT id, 'phone', phone FROM case_suspects WHERE phone <> '';
INSERT INTO suspect_numbers (suspect_id, kind, number) SELECT id, 'account', account FROM case_suspects WHERE account <> '';
{{if .Postgres}}
SELECT setval(pg_get_serial_sequence('suspects', 'id'), COALESCE((SELECT MAX(id) FROM suspects), 0) + 1, false);
{{end}}
-- +goose Down
SELECT 1;
