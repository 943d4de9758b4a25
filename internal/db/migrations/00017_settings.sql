-- +goose Up
-- Settings edited in the console (系统设置): who stored each value and when.
-- The values stay in the key/value settings table; rows written before this
-- migration (or by older code paths) keep updated_by '' and updated_at 0.
ALTER TABLE settings ADD COLUMN updated_by TEXT NOT NULL DEFAULT '';
ALTER TABLE settings ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
SELECT 1;
