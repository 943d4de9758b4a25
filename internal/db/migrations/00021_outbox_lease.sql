-- +goose Up
-- Several replicas deliver one outbox: a sender claims a batch by setting a
-- lease (lease_owner, leased_until) in a short transaction, posts, and
-- marks a row delivered only while it still holds the lease. A crashed
-- sender's lease expires and another sender takes the row over
-- (internal/notify/notify.go). Rows are posted with the header
-- Idempotency-Key: <id>, the same on every redelivery.
ALTER TABLE outbox ADD COLUMN leased_until BIGINT;
ALTER TABLE outbox ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';

-- +goose Down
SELECT 1;
