-- A person's role on a cluster is bound to them (a comment on the role
-- names their id), so a handle given up and taken by someone else never
-- brings the old role with it. A role's removal names whose role it is:
-- it drops the role of that name only while it is bound to them. NULL:
-- written before roles were bound.
ALTER TABLE cluster_drops ADD COLUMN user_id TEXT;
