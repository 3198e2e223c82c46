-- Custom avatars: the two PNGs Sluice made from a person's upload, named
-- by the hash of their content. No row: the generated default avatar.

CREATE TABLE avatars (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    hash       TEXT NOT NULL,                       -- SHA-256 (hex, 32) of the 512 px PNG
    small      BLOB NOT NULL,                       -- 256×256 PNG
    large      BLOB NOT NULL,                       -- 512×512 PNG
    source_url TEXT,                                -- the Avatar URL it was fetched from, if any
    created_at BIGINT NOT NULL
);
CREATE INDEX avatars_by_hash ON avatars (hash);
