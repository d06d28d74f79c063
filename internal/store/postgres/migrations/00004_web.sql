-- +goose Up
CREATE TABLE web_users (
    id            TEXT PRIMARY KEY,
    vasp_id       TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    last_login_at BIGINT
);
CREATE UNIQUE INDEX web_users_email ON web_users (email);
CREATE INDEX web_users_vasp ON web_users (vasp_id, email);

CREATE TABLE web_sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES web_users (id) ON DELETE CASCADE,
    vasp_id      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

CREATE TABLE web_signin_failures (
    email        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    updated_at   BIGINT NOT NULL
);

-- The dashboard's charts read transfers by creation time and decisions by type and time.
CREATE INDEX transfers_created ON transfers (vasp_id, created_at);
CREATE INDEX audit_events_type ON audit_events (vasp_id, type, created_at);

-- +goose Down
DROP INDEX audit_events_type;
DROP INDEX transfers_created;
DROP TABLE web_signin_failures;
DROP TABLE web_sessions;
DROP TABLE web_users;
