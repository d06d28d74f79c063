-- +goose Up
CREATE TABLE vasps (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    lei          TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT '',
    jurisdiction TEXT NOT NULL DEFAULT '',
    website      TEXT NOT NULL DEFAULT '',
    settings     TEXT NOT NULL,
    data_key     BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    vasp_id    TEXT REFERENCES vasps (id),
    name       TEXT NOT NULL,
    prefix     TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_vasp ON api_keys (vasp_id);

CREATE TABLE transfers (
    id                  TEXT PRIMARY KEY,
    vasp_id             TEXT NOT NULL REFERENCES vasps (id),
    ref                 TEXT,
    request_hash        TEXT NOT NULL DEFAULT '',
    message_id          TEXT NOT NULL,
    direction           TEXT NOT NULL,
    status              TEXT NOT NULL,
    status_reason       TEXT NOT NULL DEFAULT '',
    route               TEXT NOT NULL DEFAULT '',
    post_transaction    BOOLEAN NOT NULL DEFAULT FALSE,
    network             TEXT NOT NULL,
    symbol              TEXT NOT NULL,
    dti                 TEXT NOT NULL DEFAULT '',
    amount              TEXT NOT NULL,
    origin_address      TEXT NOT NULL DEFAULT '',
    destination_address TEXT NOT NULL DEFAULT '',
    destination_key     TEXT NOT NULL DEFAULT '',
    memo                TEXT NOT NULL DEFAULT '',
    tx_hash             TEXT NOT NULL DEFAULT '',
    unhosted            BOOLEAN NOT NULL DEFAULT FALSE,
    counterparty_id     TEXT NOT NULL DEFAULT '',
    details             TEXT NOT NULL,
    identity            BYTEA,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    expires_at          BIGINT,
    version             INTEGER NOT NULL
);
CREATE UNIQUE INDEX transfers_ref ON transfers (vasp_id, ref) WHERE ref IS NOT NULL;
CREATE UNIQUE INDEX transfers_message ON transfers (vasp_id, message_id);
CREATE INDEX transfers_list ON transfers (vasp_id, id);
CREATE INDEX transfers_status ON transfers (vasp_id, status, id);
CREATE INDEX transfers_tx_hash ON transfers (vasp_id, tx_hash, id);
-- Deposit matching by amount looks only at transfers still without a chain hash.
CREATE INDEX transfers_unhashed ON transfers (vasp_id, destination_key, network, symbol, amount) WHERE tx_hash = '';
CREATE INDEX transfers_counterparty ON transfers (vasp_id, counterparty_id, status);

CREATE TABLE deposits (
    id                  TEXT PRIMARY KEY,
    vasp_id             TEXT NOT NULL REFERENCES vasps (id),
    ref                 TEXT,
    request_hash        TEXT NOT NULL DEFAULT '',
    tx_hash             TEXT NOT NULL,
    network             TEXT NOT NULL,
    symbol              TEXT NOT NULL,
    amount              TEXT NOT NULL,
    destination_address TEXT NOT NULL,
    origin_address      TEXT NOT NULL DEFAULT '',
    memo                TEXT NOT NULL DEFAULT '',
    counterparty_id     TEXT NOT NULL DEFAULT '',
    transfer_id         TEXT NOT NULL,
    match               TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX deposits_ref ON deposits (vasp_id, ref) WHERE ref IS NOT NULL;
CREATE INDEX deposits_list ON deposits (vasp_id, id);

CREATE TABLE audit_heads (
    vasp_id TEXT PRIMARY KEY REFERENCES vasps (id),
    seq     BIGINT NOT NULL,
    hash    TEXT NOT NULL
);

CREATE TABLE audit_events (
    vasp_id     TEXT NOT NULL REFERENCES vasps (id),
    seq         BIGINT NOT NULL,
    id          TEXT NOT NULL,
    transfer_id TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL,
    from_status TEXT NOT NULL DEFAULT '',
    to_status   TEXT NOT NULL DEFAULT '',
    actor_type  TEXT NOT NULL,
    actor_id    TEXT NOT NULL DEFAULT '',
    actor_name  TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    data        TEXT NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (vasp_id, seq)
);
CREATE INDEX audit_events_transfer ON audit_events (vasp_id, transfer_id, seq);

-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- A job is due when run_at has passed; a claimed job's run_at is moved to the end of its lease,
-- so a crashed worker's job runs again when the lease ends. Jobs with a key run one at a time in
-- id order: all but the first of a key are blocked until the one before them finishes.
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL DEFAULT '',
    payload      TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT NOT NULL,
    blocked      BOOLEAN NOT NULL DEFAULT FALSE,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE NOT blocked;
CREATE INDEX jobs_key ON jobs (key, id);

CREATE TABLE inbound (
    vasp_id     TEXT NOT NULL,
    route       TEXT NOT NULL,
    message_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (vasp_id, route, message_id, kind)
);

CREATE TABLE messages (
    id          TEXT PRIMARY KEY,
    vasp_id     TEXT NOT NULL,
    transfer_id TEXT NOT NULL,
    direction   TEXT NOT NULL,
    route       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    state       TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '',
    sealed      BYTEA,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX messages_transfer ON messages (vasp_id, transfer_id, created_at);

CREATE TABLE wallets (
    id            TEXT PRIMARY KEY,
    vasp_id       TEXT NOT NULL REFERENCES vasps (id),
    network       TEXT NOT NULL,
    address       TEXT NOT NULL,
    address_key   TEXT NOT NULL,
    memo          TEXT NOT NULL DEFAULT '',
    customer_ref  TEXT NOT NULL DEFAULT '',
    customer_name BYTEA,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX wallets_address ON wallets (vasp_id, network, address_key, memo);
CREATE INDEX wallets_hosted ON wallets (network, address_key);
CREATE INDEX wallets_list ON wallets (vasp_id, id);

CREATE TABLE counterparties (
    id             TEXT PRIMARY KEY,
    vasp_id        TEXT NOT NULL REFERENCES vasps (id),
    name           TEXT NOT NULL,
    lei            TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT '',
    jurisdiction   TEXT NOT NULL DEFAULT '',
    website        TEXT NOT NULL DEFAULT '',
    standing       TEXT NOT NULL,
    hosted_vasp_id TEXT NOT NULL DEFAULT '',
    routes         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX counterparties_list ON counterparties (vasp_id, id);
CREATE UNIQUE INDEX counterparties_hosted ON counterparties (vasp_id, hosted_vasp_id) WHERE hosted_vasp_id <> '';
CREATE INDEX counterparties_lei ON counterparties (vasp_id, lei) WHERE lei <> '';

CREATE TABLE attributions (
    vasp_id         TEXT NOT NULL,
    network         TEXT NOT NULL,
    address_key     TEXT NOT NULL,
    address         TEXT NOT NULL,
    counterparty_id TEXT NOT NULL,
    source          TEXT NOT NULL,
    confidence      TEXT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (vasp_id, network, address_key)
);

CREATE TABLE webhook_endpoints (
    id          TEXT PRIMARY KEY,
    vasp_id     TEXT NOT NULL REFERENCES vasps (id),
    url         TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    events      TEXT NOT NULL,
    enabled     BOOLEAN NOT NULL,
    secrets     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_vasp ON webhook_endpoints (vasp_id);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    vasp_id          TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_type       TEXT NOT NULL,
    transfer_id      TEXT NOT NULL DEFAULT '',
    payload          TEXT NOT NULL,
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    last_response    TEXT NOT NULL DEFAULT '',
    next_attempt_at  BIGINT,
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT
);
CREATE INDEX webhook_deliveries_list ON webhook_deliveries (vasp_id, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_transfer ON webhook_deliveries (vasp_id, transfer_id);

CREATE TABLE jurisdictions (
    code       TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE fx_rates (
    base       TEXT NOT NULL,
    quote      TEXT NOT NULL,
    rate       TEXT NOT NULL,
    as_of      BIGINT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (base, quote)
);

CREATE TABLE assets (
    network  TEXT NOT NULL,
    symbol   TEXT NOT NULL,
    name     TEXT NOT NULL DEFAULT '',
    decimals INTEGER NOT NULL,
    dti      TEXT NOT NULL DEFAULT '',
    slip44   INTEGER NOT NULL DEFAULT -1,
    PRIMARY KEY (network, symbol)
);

-- +goose Down
DROP TABLE assets;
DROP TABLE fx_rates;
DROP TABLE jurisdictions;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE attributions;
DROP TABLE counterparties;
DROP TABLE wallets;
DROP TABLE messages;
DROP TABLE inbound;
DROP TABLE jobs;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only;
DROP TABLE audit_heads;
DROP TABLE deposits;
DROP TABLE transfers;
DROP TABLE api_keys;
DROP TABLE vasps;
