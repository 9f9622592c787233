// Package notify sends Argo CD-style notifications about gitwave's apps.
//
// The model is Argo CD's notifications controller, driven by gitwave's
// status instead of Application objects in a cluster:
//
//   - Config is the argocd-notifications-cm ConfigMap (triggers, templates,
//     services, subscriptions, defaultTriggers, context) over the built-in
//     trigger catalog, with $name references resolved from the
//     argocd-notifications-secret.
//   - AppState is the status of one app × cluster; Application turns it
//     into the Argo CD Application object that expressions and templates
//     see as `app`.
//   - Engine.Observe is called on every status change. It finds the
//     destinations (the app's notifications.argoproj.io/subscribe.*
//     annotations and the default subscriptions), runs each trigger, and
//     for each condition that holds claims Argo CD's state key
//     ([oncePer:]trigger:condition:service:recipient) in a Ledger (the
//     store), so that a restart or a second replica never sends it twice;
//     a delivery confirms its claim, and a claim left unconfirmed past
//     Options.ClaimLease (its sender died) is claimed again.
//   - Claimed notifications are rendered at once and handed to a bounded
//     pool of workers that deliver them with a deadline per attempt and
//     retries with backoff; a delivery that fails for good releases its
//     claim, as Argo CD does, so a later pass tries again. Nothing in
//     Observe waits for a service.
//
// Triggers, templates and subscriptions are argoproj/notifications-engine's
// own packages. Slack, webhooks and email are sent here (with contexts,
// deadlines and retries the engine's services lack); every other service
// type of the engine (teams, mattermost, ...) is the engine's service.
// Every error and log line passes through a redactor that replaces the
// secret's values.
package notify
