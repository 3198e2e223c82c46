-- API tokens: at most two per person, stored only as a hash of the whole
-- token; the last four characters are kept so a person can tell them apart.

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,                  -- k_ + 20 base32hex
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title        TEXT NOT NULL DEFAULT '',
    secret_hash  TEXT NOT NULL UNIQUE,              -- SHA-256 of the whole token
    last4        TEXT NOT NULL,
    status       TEXT NOT NULL,                     -- active | inactive
    version_id   BIGINT NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX tokens_by_user ON tokens (user_id, created_at);
