-- Notification preferences: which optional e-mails a person receives.
-- System e-mails are always sent and have no column.
CREATE TABLE user_preferences (
    id                TEXT PRIMARY KEY,           -- up_ + 20 base32hex
    user_id           TEXT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    community_updates TEXT NOT NULL DEFAULT 'enabled',   -- enabled | disabled
    product_updates   TEXT NOT NULL DEFAULT 'enabled',
    tips_and_tricks   TEXT NOT NULL DEFAULT 'enabled',
    version_id        BIGINT NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
