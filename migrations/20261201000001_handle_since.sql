-- When the account took its current handle (milliseconds; 0: at sign-up or
-- before this was recorded). A handle given up is held for the account only
-- if it was the account's handle for a while: one taken and dropped within
-- minutes was never in anybody's links, and holding it would let one
-- account squat on many names.
ALTER TABLE users ADD COLUMN handle_since BIGINT NOT NULL DEFAULT 0;
