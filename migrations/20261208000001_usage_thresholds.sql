-- Usage thresholds: what a person set for a billing period (a calendar
-- month, `YYYY-MM`) and the ones after it, until they set them again: the
-- newest row at or before a period is the one that applies to it. Each
-- threshold is an amount (compute in milliseconds, storage in bytes, spend
-- in cents; NULL: none) and an action, `warn` or `cap_and_warn`.
CREATE TABLE usage_thresholds (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period          TEXT NOT NULL,
    compute_ms      BIGINT,
    compute_action  TEXT NOT NULL DEFAULT 'warn',
    storage_bytes   BIGINT,
    storage_action  TEXT NOT NULL DEFAULT 'warn',
    spend_cents     BIGINT,
    spend_action    TEXT NOT NULL DEFAULT 'warn',
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Each step of a threshold crossed in a period (75, 100, 125 … 1000 %),
-- once: the warning's mail is claimed by one process and marked sent.
CREATE TABLE usage_threshold_steps (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period      TEXT NOT NULL,
    metric      TEXT NOT NULL,
    step        BIGINT NOT NULL,
    used        BIGINT NOT NULL,
    amount      BIGINT NOT NULL,
    crossed_at  BIGINT NOT NULL,
    mailed_at   BIGINT,
    PRIMARY KEY (user_id, period, metric, step)
);
CREATE INDEX usage_threshold_steps_unmailed ON usage_threshold_steps (mailed_at, crossed_at);

-- A cap reached in a period: while a row of the current period stands,
-- the person's workspaces refuse sign-ins on every cluster.
CREATE TABLE usage_caps (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    period      TEXT NOT NULL,
    metric      TEXT NOT NULL,
    reached_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, period, metric)
);
CREATE INDEX usage_caps_period ON usage_caps (period);

-- Compute time read from pg_stat_statements has a mark of its own (the
-- sum of its execution times at the last sample).
ALTER TABLE workspaces ADD COLUMN exec_time_mark BIGINT;
