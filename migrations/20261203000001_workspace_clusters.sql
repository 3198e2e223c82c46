-- Workspaces on PostgreSQL clusters. `cluster` names the cluster that
-- holds a workspace (its public host:port, as SLUICE_WORKSPACE_CLUSTERS
-- gives it); NULL: the embedded workspace endpoint. A cluster's
-- workspace is ready once its database and its owner's role exist there
-- (`provisioned_at`); until then it shows as being created.
ALTER TABLE workspaces ADD COLUMN cluster TEXT;
ALTER TABLE workspaces ADD COLUMN provisioned_at BIGINT;
-- A cluster that refused or could not be reached is asked again later.
ALTER TABLE workspaces ADD COLUMN provision_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN provision_not_before BIGINT NOT NULL DEFAULT 0;
-- The cluster's `pg_stat_database.active_time` (whole milliseconds) at
-- the last usage sample: the next sample records what was added since.
ALTER TABLE workspaces ADD COLUMN active_time_mark BIGINT;

-- Embedded workspaces need nothing made: they are ready as they are.
UPDATE workspaces SET provisioned_at = created_at WHERE cluster IS NULL;

-- The provisioning job looks for workspaces not yet made on their cluster.
CREATE INDEX workspaces_unprovisioned ON workspaces (id) WHERE provisioned_at IS NULL;
CREATE INDEX workspaces_by_cluster ON workspaces (cluster, user_id);

-- What is left to remove from a cluster after a workspace or an account
-- was deleted: its database, or a role no workspace needs any more. The
-- rows are written in the deletion's transaction, so a failure of the
-- cluster (or of this process) leaves the work to be done, never lost.
CREATE TABLE cluster_drops (
    id          TEXT PRIMARY KEY,                   -- x_ + 20 base32hex
    cluster     TEXT NOT NULL,
    kind        TEXT NOT NULL,                      -- database | role
    name        TEXT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    not_before  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX cluster_drops_due ON cluster_drops (not_before);
