-- 0006_notifications: the notifications already sent, per app × cluster
-- (scope) and Argo CD state key ([oncePer:]trigger:condition:service:recipient),
-- so that a pass of the loop, a restart or a second replica never sends the
-- same notification twice.

CREATE TABLE notifications_sent (
    scope     TEXT   NOT NULL,
    notif_key TEXT   NOT NULL,
    sent_us   BIGINT NOT NULL,
    PRIMARY KEY (scope, notif_key)
);
