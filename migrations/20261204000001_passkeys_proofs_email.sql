-- Passkeys (WebAuthn credentials) a person signs in with, the single-use
-- challenges their ceremonies run on, "Confirm it is you" (the moment a
-- session last proved who it is, and the codes mailed for it), and
-- changes of the sign-in e-mail (the link to the new address, the undo
-- link to the old one).
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,                 -- pk_…
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    credential_id TEXT NOT NULL UNIQUE,             -- base64url, as the authenticator names it
    credential    TEXT NOT NULL,                    -- the public key and its counter (webauthn-rs, JSON)
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

CREATE TABLE passkey_challenges (
    id_hash      TEXT PRIMARY KEY,                  -- SHA-256 of the id the browser holds
    purpose      TEXT NOT NULL,                     -- register | sign_in | confirm
    user_id      TEXT REFERENCES users (id) ON DELETE CASCADE,
    session_hash TEXT,                              -- the session a register or confirm belongs to
    state        TEXT NOT NULL,                     -- the ceremony's state (webauthn-rs, JSON)
    expires_at   BIGINT NOT NULL
);
CREATE INDEX passkey_challenges_expiry ON passkey_challenges (expires_at);

-- When the session last proved who it is (a sign-in, a passkey, a mailed
-- code), on the clock "Confirm it is you" reads. 0: never.
ALTER TABLE sessions ADD COLUMN confirmed_at BIGINT NOT NULL DEFAULT 0;

CREATE TABLE confirm_codes (
    session_hash TEXT PRIMARY KEY REFERENCES sessions (id_hash) ON DELETE CASCADE,
    code_hash    TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE email_changes (
    token_hash TEXT PRIMARY KEY,                    -- SHA-256 of the secret in the link
    kind       TEXT NOT NULL,                       -- confirm (sent to the new address) | undo (to the old)
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    old_email  TEXT NOT NULL,
    new_email  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX email_changes_by_user ON email_changes (user_id);
