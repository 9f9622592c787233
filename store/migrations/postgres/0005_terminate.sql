-- 0005_terminate: a request to stop a Running sync (/terminate, gitwave
-- terminate), which the process running it, in this replica or another,
-- polls and honours between objects. 0 means not requested.

ALTER TABLE syncs ADD COLUMN terminate_us BIGINT NOT NULL DEFAULT 0;
ALTER TABLE syncs ADD COLUMN terminate_by TEXT NOT NULL DEFAULT '';
