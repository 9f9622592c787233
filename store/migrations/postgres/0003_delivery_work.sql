-- 0003_delivery_work: what a delivery asks for (a comment, a pull request
-- head and action, a merge commit, a push), accepted once per host whatever
-- the delivery id, so that a signed body replayed under a new id runs
-- nothing. Deliveries stored before have none.

ALTER TABLE deliveries ADD COLUMN work TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX deliveries_work ON deliveries (host, work) WHERE work <> '';
