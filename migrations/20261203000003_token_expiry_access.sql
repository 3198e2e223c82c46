-- Tokens with an access level and an expiry. `access`: full | read_only
-- (read-only tokens read everything their owner can and change nothing).
-- `expires_at` (added with CLI logins) now applies to a person's tokens
-- too; NULL is No expiration, the default. `expiry_warned_at`: when the
-- owner was told the token expires within 7 days (once per token).
ALTER TABLE tokens ADD COLUMN access TEXT NOT NULL DEFAULT 'full';
ALTER TABLE tokens ADD COLUMN expiry_warned_at BIGINT;
CREATE INDEX tokens_expiring ON tokens (expires_at) WHERE expiry_warned_at IS NULL AND token_type = 'user';
