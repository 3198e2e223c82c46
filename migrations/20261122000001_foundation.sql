-- The foundation: people, their sessions and sign-in links, their
-- workspaces, the audit trail and rate-limit counters.
-- Times are BIGINT milliseconds since the Unix epoch (UTC) on every engine.

CREATE TABLE users (
    id                  TEXT PRIMARY KEY,           -- u_ + 20 base32hex
    handle              TEXT NOT NULL UNIQUE,
    email               TEXT NOT NULL UNIQUE,       -- lowercased
    display_name        TEXT NOT NULL,
    tenant_id           TEXT,                       -- t_…, for tenant members
    status              TEXT NOT NULL DEFAULT 'accepted',
    version_id          BIGINT NOT NULL DEFAULT 1,
    -- Sessions and tokens issued before this instant no longer work.
    token_min_issued_at BIGINT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,                  -- SHA-256 of the cookie value
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE sign_in_links (
    token_hash TEXT PRIMARY KEY,                    -- SHA-256 of the secret in the link
    email      TEXT NOT NULL,
    next_path  TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX sign_in_links_by_expiry ON sign_in_links (expires_at);

CREATE TABLE workspaces (
    id            TEXT PRIMARY KEY,                 -- w_ + 20 base32hex
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    handle        TEXT NOT NULL,
    region        TEXT NOT NULL,
    database_name TEXT NOT NULL,
    version_id    BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (user_id, handle)
);

CREATE TABLE audit_log (
    id                 TEXT PRIMARY KEY,            -- a_ + 20 base32hex
    identity_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    identity_handle    TEXT NOT NULL,
    action_type        TEXT NOT NULL,
    actor_id           TEXT NOT NULL,
    actor_handle       TEXT NOT NULL,
    actor_display_name TEXT NOT NULL,
    actor_avatar_url   TEXT NOT NULL,
    actor_ip           TEXT NOT NULL,
    target_id          TEXT,
    target_handle      TEXT,
    data               TEXT NOT NULL,               -- JSON object, no secrets
    created_at         BIGINT NOT NULL
);
-- Newest first, per account, with a stable tie-break for keyset pages.
CREATE INDEX audit_log_by_identity ON audit_log (identity_id, created_at DESC, id DESC);

CREATE TABLE rate_limits (
    key          TEXT PRIMARY KEY,                  -- what is limited, never a raw address
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL
);
