-- +goose Up
-- Fraud types suggested by the classifier, confirmed or corrected by
-- officers; corrections are kept as labelled texts for retraining.
ALTER TABLE warnings ADD COLUMN fraud_type_source TEXT NOT NULL DEFAULT ''; -- sender | model | officer
ALTER TABLE warnings ADD COLUMN fraud_type_permille BIGINT NOT NULL DEFAULT 0; -- the model's probability
CREATE TABLE fraudtype_labels (
    id          {{.ID}},
    at          BIGINT NOT NULL,
    user_id     BIGINT REFERENCES users(id),
    object_type TEXT NOT NULL, -- warning | case
    object_id   BIGINT NOT NULL,
    text        TEXT NOT NULL,
    suggested   TEXT NOT NULL DEFAULT '',
    label       TEXT NOT NULL
);
CREATE INDEX fraudtype_labels_at ON fraudtype_labels(at);

-- +goose Down
SELECT 1;
