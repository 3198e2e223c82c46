-- Credentials & Access: a description for API tokens, the database
-- password (encrypted, never stored in the clear) and the jobs that carry
-- a new password to each workspace.

ALTER TABLE tokens ADD COLUMN description TEXT NOT NULL DEFAULT '';

CREATE TABLE database_passwords (
    id         TEXT PRIMARY KEY,                    -- p_ + 20 base32hex
    user_id    TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    -- AEAD (XChaCha20-Poly1305) under the server key, the user id as
    -- associated data: nonce || ciphertext || tag.
    sealed     BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT
);

-- One row per workspace and password: pending until the workspace has it.
CREATE TABLE password_propagations (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    password_id  TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state        TEXT NOT NULL,                     -- pending | done
    attempts     BIGINT NOT NULL DEFAULT 0,
    not_before   BIGINT NOT NULL,                   -- when the job may next run
    created_at   BIGINT NOT NULL,
    done_at      BIGINT,
    PRIMARY KEY (workspace_id, password_id)
);
CREATE INDEX password_propagations_pending ON password_propagations (state, not_before);

-- The password each workspace accepts now.
ALTER TABLE workspaces ADD COLUMN password_id TEXT;
