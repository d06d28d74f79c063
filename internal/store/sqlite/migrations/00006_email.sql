-- +goose Up
-- E-mail (sunrise) links: one per transfer sent over the e-mail route. Tokens, sessions and
-- one-time codes are stored as SHA-256 hashes only.
CREATE TABLE email_links (
    id                TEXT PRIMARY KEY,
    vasp_id           TEXT NOT NULL REFERENCES vasps (id),
    transfer_id       TEXT NOT NULL REFERENCES transfers (id),
    message_id        TEXT NOT NULL,
    counterparty_id   TEXT NOT NULL,
    purpose           TEXT NOT NULL,
    email             TEXT NOT NULL,
    token_hash        TEXT NOT NULL,
    token_used_at     BIGINT,
    session_hash      TEXT NOT NULL DEFAULT '',
    code_hash         TEXT NOT NULL DEFAULT '',
    code_expires_at   BIGINT,
    code_sent_at      BIGINT,
    codes_sent        INTEGER NOT NULL DEFAULT 0,
    failed_codes      INTEGER NOT NULL DEFAULT 0,
    locked_at         BIGINT,
    opened_at         BIGINT,
    verified_at       BIGINT,
    confirmed_at      BIGINT,
    identity_shown_at BIGINT,
    access_until      BIGINT,
    expires_at        BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           INTEGER NOT NULL
);
CREATE UNIQUE INDEX email_links_transfer ON email_links (vasp_id, transfer_id);
CREATE UNIQUE INDEX email_links_token ON email_links (token_hash);
CREATE INDEX email_links_expires ON email_links (expires_at);

-- +goose Down
DROP TABLE email_links;
