-- 0006_notifications: the notifications sent, per app × cluster (scope) and
-- Argo CD state key ([oncePer:]trigger:condition:service:recipient), so that
-- a pass of the loop, a restart or a second replica never sends the same
-- notification twice. A claim whose delivery was never confirmed (sent_us
-- 0: the process died while sending) may be claimed again once claimed_us
-- is older than the claimer's lease.

CREATE TABLE notifications_sent (
    scope      TEXT   NOT NULL,
    notif_key  TEXT   NOT NULL,
    claimed_us BIGINT NOT NULL,
    sent_us    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, notif_key)
);
