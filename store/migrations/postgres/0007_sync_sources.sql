-- The revisions of the other repositories and charts a sync rendered from,
-- as one line ("https://…/k8s-apps.git@main (3f2a9c1), …"); empty when it
-- read only the served repository.
ALTER TABLE syncs ADD COLUMN sources TEXT NOT NULL DEFAULT '';
