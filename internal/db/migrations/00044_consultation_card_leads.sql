-- +goose Up
-- A 96110 or walk-in tip naming a scam account or phone number converts to
-- a 断卡 lead (internal/consult): the numbers are labelled in 两卡研判
-- (intel_labels, label mule, the tip's reference in the note). lead_at is
-- the claim: a tip gives its lead once. status gains 'lead' (an open tip
-- dealt with by its lead; it may still become a warning).
ALTER TABLE consultations ADD COLUMN lead_at BIGINT;
ALTER TABLE consultations ADD COLUMN lead_by BIGINT REFERENCES users(id);

-- +goose Down
SELECT 1;
