-- +goose Up
-- The foundation schema: the jurisdiction tree, member units, users and
-- access, the audit log, the duty roster, and the core records of every part
-- of the product (warnings, cases, statements, prevention events). Times are
-- BIGINT Unix milliseconds UTC; money is BIGINT fen; booleans are 0/1.

-- The jurisdiction tree: county (the centre) -> police stations -> towns and
-- streets -> villages and communities -> grid cells. path is the chain of
-- ids from the root, '/1/4/17/', so "everything under node N" is a prefix
-- match that works the same on both engines.
CREATE TABLE areas (
    id          {{.ID}},
    parent_id   BIGINT REFERENCES areas(id),
    level       TEXT NOT NULL,          -- county | station | town | village | cell
    kind        TEXT NOT NULL DEFAULT '', -- 县 | 派出所 | 镇 | 乡 | 街道 | 村 | 社区 | 网格
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    full_name   TEXT NOT NULL,          -- the name from the county down, for display and matching
    aliases     TEXT NOT NULL DEFAULT '', -- other names people write, separated by '|'
    path        TEXT NOT NULL,
    station_id  BIGINT,                 -- the police station this node lies in (itself for a station)
    population  BIGINT NOT NULL DEFAULT 0,
    elderly     BIGINT NOT NULL DEFAULT 0, -- inhabitants aged 60 or more
    minors      BIGINT NOT NULL DEFAULT 0, -- inhabitants under 18
    students    BIGINT NOT NULL DEFAULT 0, -- pupils and students living here
    shape       TEXT NOT NULL DEFAULT '', -- schematic polygon as JSON [[x,y],...] for the dashboard map
    sort        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX areas_parent ON areas(parent_id);
CREATE INDEX areas_path ON areas(path);
CREATE INDEX areas_station ON areas(station_id);

-- Member units of the joint mechanism (banks and their branches, telecom
-- operators and their outlets, schools, regulators, townships).
CREATE TABLE units (
    id         {{.ID}},
    parent_id  BIGINT REFERENCES units(id),
    kind       TEXT NOT NULL,    -- bank | operator | education | regulator | township | other
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id            {{.ID}},
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    area_id       BIGINT NOT NULL REFERENCES areas(id),
    unit_id       BIGINT REFERENCES units(id),
    phone         TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX users_area ON users(area_id);

CREATE TABLE sessions (
    id          {{.ID}},
    token_hash  TEXT NOT NULL UNIQUE,
    user_id     BIGINT NOT NULL REFERENCES users(id),
    csrf_token  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    ip          TEXT NOT NULL DEFAULT '',
    user_agent  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id           {{.ID}},
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,       -- first characters, shown so a person can tell tokens apart
    user_id      BIGINT NOT NULL REFERENCES users(id),
    name         TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- The audit log is append-only: triggers below refuse UPDATE and DELETE.
CREATE TABLE audit_log (
    id          {{.ID}},
    at          BIGINT NOT NULL,
    user_id     BIGINT,
    username    TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL DEFAULT '',
    ip          TEXT NOT NULL DEFAULT '',
    action      TEXT NOT NULL,     -- login | login_failed | logout | unmask | create | update | delete | export | token_create …
    object_type TEXT NOT NULL DEFAULT '',
    object_id   TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT '',
    request_id  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_user ON audit_log(user_id, at);

{{if .SQLite}}
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd
{{else}}
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END; $$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
{{end}}

-- The 7x24 duty roster: who is on duty where and when.
CREATE TABLE duty_shifts (
    id        {{.ID}},
    user_id   BIGINT NOT NULL REFERENCES users(id),
    area_id   BIGINT NOT NULL REFERENCES areas(id), -- the station (or the county centre)
    duty      TEXT NOT NULL,   -- dissuader | duty_officer
    starts_at BIGINT NOT NULL,
    ends_at   BIGINT NOT NULL
);
CREATE INDEX duty_shifts_area_time ON duty_shifts(area_id, starts_at);
CREATE INDEX duty_shifts_user_time ON duty_shifts(user_id, starts_at);

-- Warnings (预警): one row per warning received. A warning about a person who
-- already has an open warning is merged into it (merged_into), so the open
-- "primary" warning carries the timeline of all of them.
CREATE TABLE warnings (
    id                {{.ID}},
    source            TEXT NOT NULL,    -- upper | bank | operator | hotline | walkin | partner | other
    source_ref        TEXT NOT NULL,
    received_at       BIGINT NOT NULL,
    grade             TEXT NOT NULL,    -- fund | high | ordinary
    priority          BIGINT NOT NULL DEFAULT 0,
    person_name       TEXT NOT NULL DEFAULT '',
    person_phone      TEXT NOT NULL DEFAULT '',
    person_id_number  TEXT NOT NULL DEFAULT '',
    person_birth      TEXT NOT NULL DEFAULT '',  -- YYYY-MM-DD when known
    person_age        BIGINT,
    person_sex        TEXT NOT NULL DEFAULT '',  -- M | F | ''
    person_address    TEXT NOT NULL DEFAULT '',
    fraud_type        TEXT NOT NULL DEFAULT '',
    scam_phone        TEXT NOT NULL DEFAULT '',
    scam_account      TEXT NOT NULL DEFAULT '',
    scam_url          TEXT NOT NULL DEFAULT '',
    scam_app          TEXT NOT NULL DEFAULT '',
    amount_fen        BIGINT NOT NULL DEFAULT 0,
    text              TEXT NOT NULL DEFAULT '',
    area_id           BIGINT NOT NULL REFERENCES areas(id), -- matched node; the county root when unmatched
    station_id        BIGINT REFERENCES areas(id),
    route_reason      TEXT NOT NULL DEFAULT '',
    assignee_id       BIGINT REFERENCES users(id),
    status            TEXT NOT NULL DEFAULT 'open', -- open | closed | merged
    merged_into       BIGINT REFERENCES warnings(id),
    contact_due_at    BIGINT,
    onsite_due_at     BIGINT,
    first_contact_at  BIGINT,
    onsite_at         BIGINT,
    escalated_at      BIGINT,
    outcome           TEXT NOT NULL DEFAULT '', -- dissuaded | defrauded | unreachable | false_alarm
    outcome_at        BIGINT,
    kept_fen          BIGINT NOT NULL DEFAULT 0,
    case_id           BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (source, source_ref)
);
CREATE INDEX warnings_area_status ON warnings(area_id, status);
CREATE INDEX warnings_received ON warnings(received_at);
CREATE INDEX warnings_station_status ON warnings(station_id, status);
CREATE INDEX warnings_phone ON warnings(person_phone);
CREATE INDEX warnings_idnum ON warnings(person_id_number);
CREATE INDEX warnings_assignee ON warnings(assignee_id, status);

-- The timeline of a warning: intake, merges, assignment, contacts, outcome.
CREATE TABLE warning_events (
    id         {{.ID}},
    warning_id BIGINT NOT NULL REFERENCES warnings(id),
    at         BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    user_id    BIGINT,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX warning_events_warning ON warning_events(warning_id, at);

-- Cases (案件) and their victims and losing transfers.
CREATE TABLE cases (
    id              {{.ID}},
    case_no         TEXT NOT NULL UNIQUE,
    area_id         BIGINT NOT NULL REFERENCES areas(id),
    station_id      BIGINT REFERENCES areas(id),
    fraud_type      TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open', -- open | investigating | solved | closed
    reported_at     BIGINT NOT NULL,
    investigator_id BIGINT REFERENCES users(id),
    summary         TEXT NOT NULL DEFAULT '',
    loss_fen        BIGINT NOT NULL DEFAULT 0,
    warning_id      BIGINT REFERENCES warnings(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX cases_area ON cases(area_id, reported_at);
CREATE INDEX cases_reported ON cases(reported_at);

CREATE TABLE victims (
    id           {{.ID}},
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    name         TEXT NOT NULL,
    sex          TEXT NOT NULL DEFAULT '',
    birth_date   TEXT NOT NULL DEFAULT '',
    id_number    TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    area_id      BIGINT NOT NULL REFERENCES areas(id),
    occupation   TEXT NOT NULL DEFAULT '', -- retired | student | enterprise | farmer | unemployed | civil_servant | self_employed | other
    loss_fen     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX victims_case ON victims(case_id);
CREATE INDEX victims_area ON victims(area_id);

-- The victims' own transfers to the fraudsters: the starting points of a trace.
CREATE TABLE case_transfers (
    id           {{.ID}},
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    victim_id    BIGINT NOT NULL REFERENCES victims(id),
    at           BIGINT NOT NULL,
    from_account TEXT NOT NULL DEFAULT '',
    to_account   TEXT NOT NULL,
    to_bank      TEXT NOT NULL DEFAULT '',
    to_name      TEXT NOT NULL DEFAULT '',
    amount_fen   BIGINT NOT NULL,
    channel      TEXT NOT NULL DEFAULT '' -- bank_transfer | mobile_banking | alipay | wechat | atm | counter
);
CREATE INDEX case_transfers_case ON case_transfers(case_id);
CREATE INDEX case_transfers_to ON case_transfers(to_account);

-- Bank accounts known to the system (from statements, cases, card metadata).
CREATE TABLE accounts (
    id               {{.ID}},
    number           TEXT NOT NULL UNIQUE,
    bank             TEXT NOT NULL DEFAULT '',
    branch           TEXT NOT NULL DEFAULT '',   -- 开户网点
    holder_name      TEXT NOT NULL DEFAULT '',
    holder_id_number TEXT NOT NULL DEFAULT '',
    holder_phone     TEXT NOT NULL DEFAULT '',
    opened_at        BIGINT,
    kind             TEXT NOT NULL DEFAULT 'bank' -- bank | third_party
);

-- Statement imports and their rows (银行流水). amount_fen is signed: positive
-- money in, negative money out, seen from the statement's own account.
CREATE TABLE statement_imports (
    id         {{.ID}},
    at         BIGINT NOT NULL,
    user_id    BIGINT,
    file_name  TEXT NOT NULL,
    mapping    TEXT NOT NULL DEFAULT '',
    rows_total BIGINT NOT NULL DEFAULT 0,
    rows_ok    BIGINT NOT NULL DEFAULT 0,
    rows_bad   BIGINT NOT NULL DEFAULT 0,
    rows_dup   BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE statement_rows (
    id              {{.ID}},
    account         TEXT NOT NULL,
    at              BIGINT NOT NULL,
    amount_fen      BIGINT NOT NULL,
    balance_fen     BIGINT,
    counter_account TEXT NOT NULL DEFAULT '',
    counter_name    TEXT NOT NULL DEFAULT '',
    counter_bank    TEXT NOT NULL DEFAULT '',
    summary         TEXT NOT NULL DEFAULT '',
    channel         TEXT NOT NULL DEFAULT '',
    branch          TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    mac             TEXT NOT NULL DEFAULT '',
    import_id       BIGINT REFERENCES statement_imports(id),
    row_key         TEXT NOT NULL UNIQUE -- content hash: the same transaction in overlapping statements is kept once
);
CREATE INDEX statement_rows_account_at ON statement_rows(account, at);
CREATE INDEX statement_rows_counter ON statement_rows(counter_account);

-- Prevention events (宣传防范).
CREATE TABLE prevention_events (
    id             {{.ID}},
    area_id        BIGINT NOT NULL REFERENCES areas(id),
    kind           TEXT NOT NULL, -- lecture | stall | door_to_door | screen | group_push | video | school_class | bank_counter
    at             BIGINT NOT NULL,
    title          TEXT NOT NULL DEFAULT '',
    place          TEXT NOT NULL DEFAULT '',
    organiser_kind TEXT NOT NULL DEFAULT '', -- station | grid_worker | school | bank | operator | community | other
    organiser      TEXT NOT NULL DEFAULT '',
    audience       TEXT NOT NULL DEFAULT '', -- audience groups separated by ',': elderly | students | enterprise | unemployed | general | …
    reached        BIGINT NOT NULL DEFAULT 0,
    posters        BIGINT NOT NULL DEFAULT 0,
    leaflets       BIGINT NOT NULL DEFAULT 0,
    folders        BIGINT NOT NULL DEFAULT 0,
    fraud_types    TEXT NOT NULL DEFAULT '', -- fraud type codes separated by ','
    created_by     BIGINT REFERENCES users(id),
    created_at     BIGINT NOT NULL
);
CREATE INDEX prevention_events_area_at ON prevention_events(area_id, at);
CREATE INDEX prevention_events_at ON prevention_events(at);

-- Small key/value facts about this installation (demo seed, generation time).
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
-- Down migrations are not supported: restore from backup instead.
SELECT 1;
