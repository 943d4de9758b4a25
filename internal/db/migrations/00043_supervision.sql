-- +goose Up
-- 督办 (internal/assess): a supervision task for each unit the league
-- table grades red in a period, on its leader's list. The unique key is the
-- claim: of several replicas (or a person running it by hand while the
-- scheduler does) one task is stored per unit and period.
-- supervision_runs records the leagues already examined, so the scheduler
-- computes each once.
CREATE TABLE supervision_tasks (
    id          {{.ID}},
    area_id     BIGINT NOT NULL REFERENCES areas(id), -- the red station or town
    scope_id    BIGINT NOT NULL REFERENCES areas(id), -- the node whose league graded it
    period_from BIGINT NOT NULL,
    period_to   BIGINT NOT NULL,
    leader_id   BIGINT REFERENCES users(id),          -- the unit's leader, else the nearest above
    title       TEXT NOT NULL,
    figures     TEXT NOT NULL DEFAULT '',             -- JSON: the red figures with value and bounds
    due_at      BIGINT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open',         -- open | done
    done_at     BIGINT,
    done_by     BIGINT REFERENCES users(id),
    note        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    UNIQUE (area_id, period_from, period_to)
);
CREATE INDEX supervision_tasks_leader ON supervision_tasks(leader_id, status);
CREATE INDEX supervision_tasks_area ON supervision_tasks(area_id, period_from);

CREATE TABLE supervision_runs (
    scope_id    BIGINT NOT NULL REFERENCES areas(id),
    period_from BIGINT NOT NULL,
    period_to   BIGINT NOT NULL,
    ran_at      BIGINT NOT NULL,
    red         BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope_id, period_from, period_to)
);

-- +goose Down
SELECT 1;
