-- Sessions and CLI logins a person can see and end one by one: the
-- browser each session signed in from (its User-Agent, as sent, cut to
-- 512 characters), the address it signed in from and the one last seen.
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN signed_in_ip TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN last_ip TEXT NOT NULL DEFAULT '';
-- Where a CLI login's token was issued to.
ALTER TABLE tokens ADD COLUMN created_ip TEXT NOT NULL DEFAULT '';
