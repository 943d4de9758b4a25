-- +goose Up
-- 串并案 and campaigns (internal/investigation, docs/INVESTIGATION.md).

-- A case merged into a series: parent_id is the series' parent case. A
-- row is never deleted: un-merging sets unmerged_at, so the history stays.
-- A case is in at most one series at a time.
CREATE TABLE case_series (
    id            {{.ID}},
    parent_id     BIGINT NOT NULL REFERENCES cases(id),
    case_id       BIGINT NOT NULL REFERENCES cases(id),
    reason        TEXT NOT NULL DEFAULT '',
    merged_by     BIGINT REFERENCES users(id),
    merged_at     BIGINT NOT NULL,
    unmerged_by   BIGINT REFERENCES users(id),
    unmerged_at   BIGINT,
    unmerge_note  TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX case_series_current ON case_series(case_id) WHERE unmerged_at IS NULL;
CREATE INDEX case_series_parent ON case_series(parent_id);

-- A campaign: a 集群战役 or a 部/省/市督办 tag, at a node.
CREATE TABLE campaigns (
    id         {{.ID}},
    kind       TEXT NOT NULL, -- cluster | ministry | province | city
    name       TEXT NOT NULL,
    area_id    BIGINT NOT NULL REFERENCES areas(id),
    started_at BIGINT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);

-- The cases of a campaign.
CREATE TABLE campaign_cases (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    added_by    BIGINT REFERENCES users(id),
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, case_id)
);
CREATE INDEX campaign_cases_case ON campaign_cases(case_id);

-- +goose Down
SELECT 1;
