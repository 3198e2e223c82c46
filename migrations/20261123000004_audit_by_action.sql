-- The Audit Log filtered by action: a range seek per page, as unfiltered.
CREATE INDEX audit_log_by_action ON audit_log (identity_id, action_type, created_at DESC, id DESC);
