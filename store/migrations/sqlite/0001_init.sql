-- 0001_init: every table gitwave keeps, SQLite flavour.
-- Times are Unix microseconds (BIGINT); 0 means "not set".

CREATE TABLE syncs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app          TEXT    NOT NULL,
    cluster      TEXT    NOT NULL,
    project      TEXT    NOT NULL DEFAULT '',
    revision     TEXT    NOT NULL DEFAULT '',
    cause        TEXT    NOT NULL,
    initiator    TEXT    NOT NULL DEFAULT '',
    started_us   BIGINT  NOT NULL,
    finished_us  BIGINT  NOT NULL DEFAULT 0,
    heartbeat_us BIGINT  NOT NULL,
    phase        TEXT    NOT NULL,
    message      TEXT    NOT NULL DEFAULT '',
    objects      TEXT    NOT NULL DEFAULT '[]'
);
-- At most one Running sync per (app, cluster), across every process.
CREATE UNIQUE INDEX syncs_one_running ON syncs (app, cluster) WHERE phase = 'Running';
CREATE INDEX syncs_by_app_cluster ON syncs (app, cluster, id);
CREATE INDEX syncs_by_app ON syncs (app, id);

CREATE TABLE inventories (
    app        TEXT   NOT NULL,
    cluster    TEXT   NOT NULL,
    revision   TEXT   NOT NULL,
    entries    TEXT   NOT NULL,
    updated_us BIGINT NOT NULL,
    PRIMARY KEY (app, cluster)
);

CREATE TABLE pins (
    app        TEXT   NOT NULL,
    cluster    TEXT   NOT NULL,
    revision   TEXT   NOT NULL,
    reason     TEXT   NOT NULL DEFAULT '',
    pinned_by  TEXT   NOT NULL DEFAULT '',
    revert_pr  TEXT   NOT NULL DEFAULT '',
    created_us BIGINT NOT NULL,
    PRIMARY KEY (app, cluster)
);

CREATE TABLE deliveries (
    host        TEXT   NOT NULL,
    delivery_id TEXT   NOT NULL,
    event       TEXT   NOT NULL,
    payload     BLOB   NOT NULL,
    received_us BIGINT NOT NULL,
    PRIMARY KEY (host, delivery_id)
);

CREATE TABLE jobs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT    NOT NULL,
    job_key        TEXT    NOT NULL DEFAULT '',
    dedupe         TEXT    NOT NULL DEFAULT '',
    payload        BLOB    NOT NULL,
    state          TEXT    NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL,
    run_after_us   BIGINT  NOT NULL,
    lease_until_us BIGINT  NOT NULL DEFAULT 0,
    leased_by      TEXT    NOT NULL DEFAULT '',
    last_error     TEXT    NOT NULL DEFAULT '',
    created_us     BIGINT  NOT NULL,
    finished_us    BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX jobs_pending ON jobs (id) WHERE state IN ('queued', 'leased');
CREATE INDEX jobs_leased_key ON jobs (job_key, lease_until_us) WHERE state = 'leased';
CREATE UNIQUE INDEX jobs_dedupe ON jobs (dedupe) WHERE dedupe <> '' AND state IN ('queued', 'leased');

CREATE TABLE pr_comments (
    repo       TEXT    NOT NULL,
    pr         INTEGER NOT NULL,
    ids        TEXT    NOT NULL,
    updated_us BIGINT  NOT NULL,
    PRIMARY KEY (repo, pr)
);

CREATE TABLE locks (
    name       TEXT   NOT NULL PRIMARY KEY,
    holder     TEXT   NOT NULL,
    expires_us BIGINT NOT NULL
);
