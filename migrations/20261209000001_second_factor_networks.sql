-- A second factor: an authenticator app (TOTP), recovery codes, the
-- requirement that sign-in asks for one, and the half-signed-in state
-- between the e-mail link and the second step. And the networks each
-- account's credentials were used from, with the alerts a new one sent.

-- At most one authenticator per account. `confirmed_at` is empty while
-- it is being set up (until a first code is given).
CREATE TABLE authenticators (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sealed_secret TEXT NOT NULL,                    -- the vault's seal of the 20-byte secret
    created_at    BIGINT NOT NULL,
    confirmed_at  BIGINT,
    last_step     BIGINT NOT NULL DEFAULT 0,        -- the last 30-second step whose code was accepted
    last_used_at  BIGINT
);

CREATE TABLE recovery_codes (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT NOT NULL,                        -- SHA-256 of the code
    created_at BIGINT NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- When the owner required a second factor at sign-in; empty: not required.
ALTER TABLE users ADD COLUMN second_factor_required_at BIGINT;

-- Signed in with an e-mail link, a second factor still to give: no
-- session exists yet.
CREATE TABLE second_steps (
    id_hash    TEXT PRIMARY KEY,                    -- SHA-256 of the cookie's value
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next_path  TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    tries      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX second_steps_expiry ON second_steps (expires_at);

-- Networks (an IPv4 /24, an IPv6 /48) the account's credentials were used from.
CREATE TABLE known_networks (
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    network       TEXT NOT NULL,
    first_used_at BIGINT NOT NULL,
    last_used_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, network)
);

-- When the account's first network was recorded (without a mail: there
-- was nothing to compare it with); every new network after it alerts.
ALTER TABLE users ADD COLUMN networks_since BIGINT;

-- One alert per credential and network: what was used, from where, by what.
CREATE TABLE network_alerts (
    id              TEXT PRIMARY KEY,               -- na_…
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_kind TEXT NOT NULL,                  -- browser | cli_login | token | database_password
    credential_id   TEXT NOT NULL,                  -- the session's hash, the token's id, or the account's id
    credential_name TEXT NOT NULL,
    network         TEXT NOT NULL,
    address         TEXT NOT NULL,
    client          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    undone_at       BIGINT,
    UNIQUE (user_id, credential_kind, credential_id, network)
);

-- The network a token was last used from: the check runs when it changes.
ALTER TABLE tokens ADD COLUMN last_network TEXT;
