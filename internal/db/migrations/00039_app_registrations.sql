-- +goose Up
-- 国家反诈中心 APP registrations per area and month, imported from the
-- monthly Excel (internal/assess); the league table counts them per
-- 10,000 inhabitants. A second import of a month replaces its count.
CREATE TABLE app_registrations (
    area_id     BIGINT NOT NULL REFERENCES areas(id),
    month       TEXT NOT NULL, -- YYYY-MM
    count       BIGINT NOT NULL,
    imported_at BIGINT NOT NULL,
    user_id     BIGINT REFERENCES users(id),
    PRIMARY KEY (area_id, month)
);

-- +goose Down
SELECT 1;
