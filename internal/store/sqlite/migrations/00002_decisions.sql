-- +goose Up
-- Policy sets: every saved version is kept, so a decision's recorded version can be shown.
CREATE TABLE policy_sets (
    vasp_id    TEXT NOT NULL REFERENCES vasps (id),
    direction  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    policies   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (vasp_id, direction, version)
);

CREATE TABLE decision_settings (
    vasp_id    TEXT PRIMARY KEY REFERENCES vasps (id),
    data       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Screening lists: one row per imported version, its compiled snapshot in chunks.
CREATE TABLE screening_lists (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    format       TEXT NOT NULL,
    entries      BIGINT NOT NULL,
    entities     BIGINT NOT NULL,
    hash         TEXT NOT NULL DEFAULT '',
    published_at BIGINT,
    imported_at  BIGINT NOT NULL,
    bytes        BIGINT NOT NULL DEFAULT 0,
    active       BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX screening_lists_name ON screening_lists (name, imported_at);

CREATE TABLE screening_list_chunks (
    list_id TEXT NOT NULL REFERENCES screening_lists (id) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (list_id, seq)
);

-- Decision statistics read the audit trail by time.
CREATE INDEX audit_events_time ON audit_events (vasp_id, created_at);

-- +goose Down
DROP INDEX audit_events_time;
DROP TABLE screening_list_chunks;
DROP TABLE screening_lists;
DROP TABLE decision_settings;
DROP TABLE policy_sets;
