-- Handles a person gave up (by changing it or deleting the account) stay
-- unavailable to everyone else for a cooling-off period, so that links,
-- DNS names and API calls meant for them never reach a newcomer. The
-- account that gave a handle up may take it back during that time; after a
-- deletion the row says nothing about whose it was.
CREATE TABLE handle_holds (
    handle      TEXT PRIMARY KEY,
    user_id     TEXT REFERENCES users (id) ON DELETE SET NULL,
    released_at BIGINT NOT NULL,
    until       BIGINT NOT NULL
);
CREATE INDEX handle_holds_by_user ON handle_holds (user_id);

-- Usage per workspace and UTC day: compute time (db_execution_ms, added up)
-- and storage (db_volume_bytes, the day's largest reading). The workspace id
-- and handle are copied so a deleted workspace's usage stays in its period.
CREATE TABLE usage_daily (
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id     TEXT NOT NULL,
    workspace_handle TEXT NOT NULL,
    usage_date       BIGINT NOT NULL,               -- the day's first millisecond, UTC
    metric           TEXT NOT NULL,                 -- db_execution_ms | db_volume_bytes
    value            BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, usage_date, metric)
);
CREATE INDEX usage_daily_by_user ON usage_daily (user_id, usage_date);

-- Tenants: an organisation whose members' accounts it manages and pays
-- for. People join one by signing up with an address at a domain the
-- tenant claims (SLUICE_TENANT_DOMAINS).
CREATE TABLE tenants (
    id         TEXT PRIMARY KEY,                    -- t_ + 20 base32hex
    handle     TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
