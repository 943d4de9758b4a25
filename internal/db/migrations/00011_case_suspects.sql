-- +goose Up
-- Suspects of a case (犯罪嫌疑人): who they are and what ties them to the
-- case (the account they hold, the number they called from, …).
CREATE TABLE case_suspects (
    id         {{.ID}},
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    name       TEXT NOT NULL DEFAULT '',
    id_number  TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL DEFAULT '',
    account    TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL DEFAULT '', -- caller | card_holder | card_seller | money_mule | organiser | other
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_suspects_case ON case_suspects(case_id);
CREATE INDEX case_suspects_account ON case_suspects(account);

-- +goose Down
SELECT 1;
