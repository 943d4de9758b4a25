-- +goose Up
-- One suspect model: funds' per-case suspects (case_suspects, 00011) end in
-- investigation's persons (suspects, 00025). 00025 copied the rows it found
-- with the same ids; rows recorded through the old path after it (funds'
-- RecordSuspect, removed now) are copied here, a person whose ID number is
-- already recorded linked instead of duplicated, and the table is dropped.

-- Old rows not copied by 00025 (no suspect of the same id on the same case
-- since the same moment), each with the id of its person: an existing
-- suspect with the ID number, or a new id per ID number (per row without
-- one) after the highest.
CREATE TEMPORARY TABLE legacy_suspect_ids (
    old_id BIGINT PRIMARY KEY,
    new_id BIGINT NOT NULL,
    fresh  BIGINT NOT NULL
);
INSERT INTO legacy_suspect_ids (old_id, new_id, fresh)
SELECT cs.id, s.id, 0
FROM case_suspects cs
JOIN (SELECT id_number, MIN(id) AS id FROM suspects WHERE id_number <> '' GROUP BY id_number) s ON s.id_number = UPPER(cs.id_number)
WHERE NOT EXISTS (SELECT 1 FROM suspect_cases sc WHERE sc.suspect_id = cs.id AND sc.case_id = cs.case_id AND sc.created_at = cs.created_at);
INSERT INTO legacy_suspect_ids (old_id, new_id, fresh)
SELECT cs.id,
       (SELECT COALESCE(MAX(id), 0) FROM suspects) + DENSE_RANK() OVER (ORDER BY
           CASE WHEN cs.id_number = '' THEN 'row ' || CAST(cs.id AS TEXT) ELSE UPPER(cs.id_number) END),
       1
FROM case_suspects cs
WHERE NOT EXISTS (SELECT 1 FROM suspect_cases sc WHERE sc.suspect_id = cs.id AND sc.case_id = cs.case_id AND sc.created_at = cs.created_at)
  AND NOT EXISTS (SELECT 1 FROM legacy_suspect_ids m WHERE m.old_id = cs.id);

-- New persons, from the first old row of each (roles mapped as in 00025).
INSERT INTO suspects (id, name, id_number, role, note, created_by, created_at, updated_at)
SELECT m.new_id, cs.name, UPPER(cs.id_number),
       CASE cs.role WHEN 'organiser' THEN 'organiser' WHEN 'money_mule' THEN 'mule' WHEN 'card_holder' THEN 'card_farmer' ELSE 'other' END,
       CASE cs.role WHEN 'caller' THEN TRIM(cs.note || ' （原登记角色：实施诈骗（话务/聊天））')
                    WHEN 'card_seller' THEN TRIM(cs.note || ' （原登记角色：收购、贩卖两卡）') ELSE cs.note END,
       cs.created_by, cs.created_at, cs.created_at
FROM case_suspects cs JOIN legacy_suspect_ids m ON m.old_id = cs.id
WHERE m.fresh = 1 AND cs.id = (SELECT MIN(m2.old_id) FROM legacy_suspect_ids m2 WHERE m2.new_id = m.new_id);
INSERT INTO suspect_cases (suspect_id, case_id, created_by, created_at)
SELECT m.new_id, cs.case_id, MIN(cs.created_by), MIN(cs.created_at)
FROM case_suspects cs JOIN legacy_suspect_ids m ON m.old_id = cs.id
WHERE NOT EXISTS (SELECT 1 FROM suspect_cases sc WHERE sc.suspect_id = m.new_id AND sc.case_id = cs.case_id)
GROUP BY m.new_id, cs.case_id;
INSERT INTO suspect_numbers (suspect_id, kind, number)
SELECT DISTINCT m.new_id, 'phone', cs.phone FROM case_suspects cs JOIN legacy_suspect_ids m ON m.old_id = cs.id
WHERE cs.phone <> '' AND NOT EXISTS (SELECT 1 FROM suspect_numbers n WHERE n.suspect_id = m.new_id AND n.kind = 'phone' AND n.number = cs.phone);
INSERT INTO suspect_numbers (suspect_id, kind, number)
SELECT DISTINCT m.new_id, 'account', cs.account FROM case_suspects cs JOIN legacy_suspect_ids m ON m.old_id = cs.id
WHERE cs.account <> '' AND NOT EXISTS (SELECT 1 FROM suspect_numbers n WHERE n.suspect_id = m.new_id AND n.kind = 'account' AND n.number = cs.account);
{{if .Postgres}}
SELECT setval(pg_get_serial_sequence('suspects', 'id'), COALESCE((SELECT MAX(id) FROM suspects), 0) + 1, false);
{{end}}
DROP TABLE legacy_suspect_ids;
DROP TABLE case_suspects;

-- +goose Down
SELECT 1;
