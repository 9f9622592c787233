// Package bot is gitwave as a GitHub and GitLab app: webhooks in, pull
// request comments, commit statuses and deployments out.
//
// The model, in the order an event flows (event → plan → apply → record →
// report):
//
//   - The HTTP handler (server.go) refuses a request whose headers carry no
//     signature or token before it reads the body, reads bodies in a bounded
//     number of turns (server_admit.go), verifies the signature before it
//     reads anything else, parses the body into a host-neutral Event, drops
//     what the bot does not act on (other repositories, other branches,
//     comments that are no command, bots), and stores the delivery together
//     with one job in a single transaction (store.Accept) before it answers
//     202. A redelivered webhook, or one replayed under a new delivery id
//     (the same work, work.go), stores nothing and enqueues nothing.
//   - Workers (worker.go) claim jobs from the store's durable queue, renew
//     their lease while they work and complete or fail (with a retry delay)
//     each job. A job whose worker died is claimed again once its lease runs
//     out, so a crash between accept and work loses nothing, and a job
//     completed is never run again. Jobs of one pull request share the key
//     "pr:REPO#N" and run in order; deployments of one repository share
//     "deploy:REPO"; different keys run in parallel.
//   - Each job fetches the repository into its bare mirror (repos.go)
//     through the repository's one long-lived handle, which asks the host
//     for a clone token on every fetch and push, and reads trees, changed
//     files and merge bases from Git at full commit SHAs.
//   - A pull request (pr.go) is diffed from its merge base to its head,
//     against the live clusters where they answer, checked against the
//     policy read from the default branch, and reported in one comment found
//     again by a hidden marker and edited in place, plus the commit statuses
//     gitwave/diff and gitwave/policy.
//   - A merge (merge.go) deploys the automated apps the merge changed, in
//     app-of-apps wave order, when the author holds the path grants under
//     the policy of the default branch before the merge; the result is
//     posted on the merged pull request.
//   - A served repository whose default branch defines no app, while another
//     served repository's does, is a source repository (sourcerepo.go): its
//     pull requests are diffed through the apps the roots' default branches
//     define that read the changed files at the target branch, with the
//     repository pinned to the pull request's head (sourcepr.go); its merges
//     deploy them (deploysource.go). The apps and the policy come from the
//     roots, never from the pull request; files are checked as
//     "OWNER/REPO:path". Other repositories and charts are read through
//     sources.go: served ones through the bot's mirrors, the rest through
//     Options.Repositories.
//   - Slash commands (commands.go, rollback.go) run through a map of
//     runners, each authorized per app and cluster by the policy.
//   - The reconcile loop (reconcile.go) enqueues one "reconcile" job per
//     repository every interval and after every push or merge, keyed with
//     the repository's deploys, and runs reconcile.Converge in the one
//     replica holding the store's "reconcile" lock.
//
// Nothing here logs a secret or a comment body: log records carry the
// repository, the pull request, the delivery id and the job id.
package bot
