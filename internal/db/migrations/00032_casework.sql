-- +goose Up
-- Work inside a case (internal/investigation, docs/INVESTIGATION.md):
-- tasks with an assignee and a due date, notes, attachments and links to
-- related warnings and intel groups.

-- A task of a case. reminded_at is the overdue reminder's claim: the
-- reminder job sets it with a conditional UPDATE, so two replicas remind
-- once.
CREATE TABLE case_tasks (
    id          {{.ID}},
    case_id     BIGINT NOT NULL REFERENCES cases(id),
    title       TEXT NOT NULL,
    assignee_id BIGINT NOT NULL REFERENCES users(id),
    due_at      BIGINT NOT NULL,
    done_at     BIGINT,
    done_by     BIGINT REFERENCES users(id),
    reminded_at BIGINT,
    created_by  BIGINT REFERENCES users(id),
    created_at  BIGINT NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks(case_id, id);
CREATE INDEX case_tasks_assignee ON case_tasks(assignee_id, due_at);
CREATE INDEX case_tasks_due ON case_tasks(due_at);

-- A note an officer wrote on a case.
CREATE TABLE case_notes (
    id         {{.ID}},
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    body       TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_notes_case ON case_notes(case_id, id);

-- A file attached to a case: an image (re-encoded from its pixels) or a
-- PDF, checked from the bytes; stored in the database like prevention
-- photos.
CREATE TABLE case_attachments (
    id           {{.ID}},
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    name         TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL, -- image/jpeg | image/png | application/pdf
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    data         {{if .SQLite}}BLOB{{else}}BYTEA{{end}} NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(case_id);

-- A related warning (warning_id) or intel group (ref: the key of an entity
-- of the group, e.g. phone:13800000000, since group ids are recomputed).
CREATE TABLE case_links (
    id         {{.ID}},
    case_id    BIGINT NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL, -- warning | intel_group
    warning_id BIGINT REFERENCES warnings(id),
    ref        TEXT NOT NULL DEFAULT '',
    note       TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    UNIQUE (case_id, kind, ref)
);
CREATE INDEX case_links_warning ON case_links(warning_id);

-- +goose Down
SELECT 1;
