-- +goose Up
-- Login security (issue 18).
--
-- Failed logins, shared by every replica on one database: the limiter
-- counts rows per key (client address; username and address) inside its
-- window and deletes rows older than the window as it goes.
CREATE TABLE login_failures (
    id         {{.ID}},
    key        TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(key, at);
CREATE INDEX login_failures_at ON login_failures(at);

-- API tokens expire; tokens made before this migration get 180 days from
-- their creation.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
UPDATE api_tokens SET expires_at = created_at + 15552000000 WHERE expires_at = 0;

-- Sessions end after an idle time as well as at their absolute expiry;
-- stage is 'full' for a signed-in session, 'totp' while the second factor
-- is asked, 'enrol' while a user who must have 2FA enrols.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'full';

-- Two-factor login (TOTP). totp_secret is set once enrolment is confirmed;
-- totp_pending holds the secret shown on the enrolment page until then.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_pending TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT NOT NULL DEFAULT 0;
-- The last TOTP time step accepted, so a code cannot be replayed.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;

-- Recovery codes: ten per enrolment, shown once, stored hashed, single use.
CREATE TABLE recovery_codes (
    id         {{.ID}},
    user_id    BIGINT NOT NULL REFERENCES users(id),
    code_hash  TEXT NOT NULL,
    used_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

-- +goose Down
SELECT 1;
