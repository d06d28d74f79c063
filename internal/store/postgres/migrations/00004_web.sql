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

-- The review inbox: the transfers that wait for a person, a small part of all. The condition is
-- the one sqlstore's inboxCond (web.go) queries with; they must stay the same text.
CREATE INDEX transfers_inbox ON transfers (vasp_id, id, status) WHERE (status IN ('NEW', 'WAITING_FOR_INFORMATION') OR (status IN ('SENT', 'ACK', 'NOT_READY') AND (
	(direction = 'incoming' AND details NOT LIKE '{"initiator":"beneficiary"%') OR
	(direction = 'outgoing' AND details LIKE '{"initiator":"beneficiary"%'))));

-- The dashboard's charts count transfers by creation time and status, and decisions by type, time,
-- statuses and actor, from these indexes alone.
CREATE INDEX transfers_created ON transfers (vasp_id, created_at, status);
CREATE INDEX audit_events_type ON audit_events (vasp_id, type, created_at, from_status, to_status, actor_type);

-- +goose Down
DROP INDEX audit_events_type;
DROP INDEX transfers_created;
DROP INDEX transfers_inbox;
DROP TABLE web_signin_failures;
DROP TABLE web_sessions;
DROP TABLE web_users;
