-- +goose Up
-- 下一条 (internal/warning/next.go): when the assignee took the warning to
-- call the person. A warning taken and not yet followed by a recorded
-- contact is a call in progress; its officer is busy, and their other
-- waiting fund and high-risk warnings may go to a free officer. The claim
-- is a conditional UPDATE of this column, so two officers never take the
-- same warning.
ALTER TABLE warnings ADD COLUMN taken_at BIGINT;
CREATE INDEX warnings_taken ON warnings(status, taken_at);

-- +goose Down
SELECT 1;
