-- The workspace endpoint: each workspace keeps a SCRAM-SHA-256 verifier of
-- the password it accepts (never the password), in PostgreSQL's pg_authid
-- text form. The propagation job that gives a workspace a new password
-- writes its verifier in the same transaction.
ALTER TABLE workspaces ADD COLUMN scram_verifier TEXT;
