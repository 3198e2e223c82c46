-- CLI login: a request the CLI starts, a person confirms in the console,
-- and the CLI exchanges (with the code the console showed) for a
-- temporary token of 30 days.
ALTER TABLE tokens ADD COLUMN token_type TEXT NOT NULL DEFAULT 'user';   -- user | temporary
ALTER TABLE tokens ADD COLUMN expires_at BIGINT;                          -- temporary tokens only

CREATE TABLE login_requests (
    id           TEXT PRIMARY KEY,              -- spttr_ + 20 base32hex: the public part
    secret_hash  TEXT NOT NULL,                 -- SHA-256 of the whole request id
    client_ip    TEXT NOT NULL,
    state        TEXT NOT NULL,                 -- pending | confirmed
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    code_hash    TEXT,                          -- SHA-256 of the code, once confirmed
    failed_codes BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX login_requests_by_age ON login_requests (created_at);
