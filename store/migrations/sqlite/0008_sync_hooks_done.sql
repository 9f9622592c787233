-- 0008_sync_hooks_done: the hooks the current attempt of a Running sync has
-- run to success, one per line, so that a replica resuming the sync of a
-- worker that stopped does not run them again (as Argo CD's operation state
-- keeps a resumed operation from running its finished hooks again).
ALTER TABLE syncs ADD COLUMN hooks_done TEXT NOT NULL DEFAULT '';
