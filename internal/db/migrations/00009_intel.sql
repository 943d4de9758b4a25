-- +goose Up
-- 两卡研判: analysts' labels on accounts and phone numbers, the score
-- weights in force (refit from the labels), the last computed scores with
-- their explanations, and imported lists of where cards and phone cards
-- were issued (开户网点 / 营业厅).
CREATE TABLE intel_labels (
    id       {{.ID}},
    at       BIGINT NOT NULL,
    user_id  BIGINT REFERENCES users(id),
    kind     TEXT NOT NULL,   -- account | phone
    subject  TEXT NOT NULL,   -- the account or phone number
    label    TEXT NOT NULL,   -- mule | cleared
    note     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX intel_labels_subject ON intel_labels(kind, subject, at);

CREATE TABLE intel_weights (
    id       {{.ID}},
    at       BIGINT NOT NULL,
    user_id  BIGINT REFERENCES users(id),
    spec     TEXT NOT NULL,   -- JSON of intel.Weights
    report   TEXT NOT NULL DEFAULT ''
);

CREATE TABLE intel_scores (
    kind        TEXT NOT NULL,   -- account | phone
    subject     TEXT NOT NULL,
    score_centi BIGINT NOT NULL, -- hundredths of a point
    watch       INTEGER NOT NULL DEFAULT 0,
    explain     TEXT NOT NULL,   -- JSON list of contributions
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (kind, subject)
);
CREATE INDEX intel_scores_rank ON intel_scores(kind, score_centi);

CREATE TABLE card_outlets (
    id        {{.ID}},
    kind      TEXT NOT NULL,   -- account | phone
    subject   TEXT NOT NULL,   -- card or phone number
    issuer    TEXT NOT NULL DEFAULT '', -- bank or operator
    outlet    TEXT NOT NULL,   -- 开户网点 / 营业厅
    opened_at BIGINT,
    UNIQUE (kind, subject)
);

-- +goose Down
SELECT 1;
