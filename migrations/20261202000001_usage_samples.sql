-- Accounts whose earlier usage is a generated sample (the demo account):
-- days before `until` (a day's first millisecond, UTC) were made up to
-- show the charts; from `until` on, usage is measured. The pages say so.
CREATE TABLE usage_samples (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    until   BIGINT NOT NULL
);
