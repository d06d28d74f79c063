-- +goose Up
-- TRP (OpenVASP Travel Rule Protocol) state per transfer and hosted VASP: the peer's callback
-- URL for our next message, the api-version it speaks, a cancel waiting for a callback.
CREATE TABLE trp_transfers (
    vasp_id         TEXT NOT NULL REFERENCES vasps (id),
    message_id      TEXT NOT NULL,
    role            TEXT NOT NULL,
    counterparty_id TEXT NOT NULL,
    peer_callback   TEXT NOT NULL DEFAULT '',
    api_version     TEXT NOT NULL DEFAULT '',
    pending_cancel  TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (vasp_id, message_id)
);

-- +goose Down
DROP TABLE trp_transfers;
