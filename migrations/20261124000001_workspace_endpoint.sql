-- The workspace endpoint: each workspace keeps a SCRAM-SHA-256 verifier of
-- the password it accepts (never the password), in PostgreSQL's pg_authid
-- text form. The propagation job that gives a workspace a new password
-- writes its verifier in the same transaction.
ALTER TABLE workspaces ADD COLUMN scram_verifier TEXT;

-- The propagation worker looks for workspaces still without one every
-- second: only those rows are in this index.
CREATE INDEX workspaces_without_verifier ON workspaces (id) WHERE scram_verifier IS NULL;
