-- +goose Up
-- People and member units managed in the console: units can be retired
-- (they keep their history, get no new requests, their users are disabled)
-- and carry their contacts; users remember when they were disabled.

ALTER TABLE units ADD COLUMN retired_at BIGINT;
ALTER TABLE units ADD COLUMN updated_at BIGINT;

-- People to call at a member unit (name, title, phone, note).
CREATE TABLE unit_contacts (
    id         {{.ID}},
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    name       TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX unit_contacts_unit ON unit_contacts(unit_id);

-- When a user was disabled (NULL while active); the flag stays the
-- column every reader already checks.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;
CREATE INDEX users_role ON users(role, disabled);

-- +goose Down
SELECT 1;
