-- +goose Up
-- Province scale, the leftovers of issue 22 item 7 (docs/BENCHMARKS.md,
-- "province").
--
-- The area a member unit serves (a bank's county branch: its county). A
-- freeze or stop-payment request made from a case's fund trace goes to the
-- bank's unit serving the case's county, or the nearest ancestor that has
-- one (partner.BankUnitOf); NULL: a unit bound to no area, as before.
ALTER TABLE units ADD COLUMN area_id BIGINT REFERENCES areas(id);
CREATE INDEX units_area ON units(area_id) WHERE area_id IS NOT NULL;

-- The centres (province, cities, counties) among a province's 100,000
-- nodes, for the unit form's area picker (area.Centres).
CREATE INDEX areas_level ON areas(level);

-- +goose Down
DROP INDEX areas_level;
DROP INDEX units_area;
-- SQLite cannot drop a column with a foreign key; the column stays there.
{{if .Postgres}}ALTER TABLE units DROP COLUMN area_id;{{end}}
