-- +goose Up
-- 96110 and walk-in consultations and tips that do not (yet) name a person
-- at risk (internal/consult), with their conversion to a warning.
CREATE TABLE consultations (
    id           {{.ID}},
    at           BIGINT NOT NULL,
    channel      TEXT NOT NULL,               -- hotline | walkin | online | other
    kind         TEXT NOT NULL,               -- consult | tip
    caller_name  TEXT NOT NULL DEFAULT '',
    caller_phone TEXT NOT NULL DEFAULT '',
    area_id      BIGINT NOT NULL REFERENCES areas(id),
    summary      TEXT NOT NULL,
    fraud_type   TEXT NOT NULL DEFAULT '',
    scam_phone   TEXT NOT NULL DEFAULT '',
    scam_account TEXT NOT NULL DEFAULT '',
    amount_fen   BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL DEFAULT 'open', -- open | converted | closed
    warning_id   BIGINT REFERENCES warnings(id),
    user_id      BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX consultations_at ON consultations(at);

-- +goose Down
SELECT 1;
