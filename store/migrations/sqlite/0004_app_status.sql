-- 0004_app_status: what the reconcile loop last saw of every app on every
-- cluster it deploys to, per served repository: sync and health, desired
-- and deployed revision, the last sync, the retry state, and why the
-- status is Unknown when it is. Times are Unix microseconds; 0 is unset.

CREATE TABLE app_status (
    repo              TEXT    NOT NULL,
    app               TEXT    NOT NULL,
    cluster           TEXT    NOT NULL,
    project           TEXT    NOT NULL DEFAULT '',
    sync              TEXT    NOT NULL,
    health            TEXT    NOT NULL,
    desired_revision  TEXT    NOT NULL DEFAULT '',
    deployed_revision TEXT    NOT NULL DEFAULT '',
    last_result       TEXT    NOT NULL DEFAULT '',
    last_started_us   BIGINT  NOT NULL DEFAULT 0,
    last_finished_us  BIGINT  NOT NULL DEFAULT 0,
    last_message      TEXT    NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_retry_us     BIGINT  NOT NULL DEFAULT 0,
    unknown_reason    TEXT    NOT NULL DEFAULT '',
    updated_us        BIGINT  NOT NULL,
    PRIMARY KEY (repo, app, cluster)
);
CREATE INDEX app_status_by_app ON app_status (app, cluster);
