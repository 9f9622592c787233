// Package gitlab is gitwave's adapter for GitLab.com and self-managed
// GitLab. It implements bot.Host with an access token.
//
// The model: a webhook arrives with the secret token configured on the
// project or group hook in X-Gitlab-Token; Verify compares it in constant
// time before anything else is read, takes the delivery id from
// X-Gitlab-Event-UUID (or, from older GitLab versions that do not send it, the
// SHA-256 of the body) and the event from X-Gitlab-Event. Parse turns Merge
// Request, Push and Note hooks into bot.Events. There is no unsigned mode:
// New refuses an empty secret.
//
// Calls back to GitLab go through client-go with the token: merge request
// notes are the comments (system notes left out), award emoji are the
// reactions, commit statuses carry gitwave's contexts, merge request diffs
// give the changed files, and group membership is asked of exactly the groups
// a policy names (GET /groups/:id/members/all/:user_id, which counts
// inherited membership), cached per (group, user) for a short time.
package gitlab
