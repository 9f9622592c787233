-- 0002_pr_heads: the head commit gitwave's diff comment describes, per pull
-- request, so that /sync deploys only what the commenter was shown.

CREATE TABLE pr_heads (
    repo       TEXT    NOT NULL,
    pr         INTEGER NOT NULL,
    head       TEXT    NOT NULL,
    updated_us BIGINT  NOT NULL,
    PRIMARY KEY (repo, pr)
);
