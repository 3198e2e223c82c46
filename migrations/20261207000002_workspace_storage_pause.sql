-- A cluster workspace past the storage limit is paused: its database is
-- closed to its owner's role until it is below the limit again. When it
-- was paused; NULL: it is not.
ALTER TABLE workspaces ADD COLUMN paused_at BIGINT;
