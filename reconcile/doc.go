// Package reconcile joins the planner, the applier and the store into the
// three things gitwave does to a fleet: diff apps against the live clusters,
// sync them in app-of-apps wave order, and find and heal drift. The CLI and
// the bot call the same Reconciler, so a PR comment, `gitwave sync` and the
// reconcile loop behave alike.
//
// Converge is one pass of the desired-state loop: every app × cluster the
// default branch produces is compared with its live cluster through the
// applier's watch caches, the automated apps that need it are synced (with
// backoff after failures), and each status is kept in the store. Remove
// finishes an app the default branch no longer produces, deleting or
// orphaning its objects as its Application's resources finalizer says.
//
// A cluster that cannot be reached fails only its own apps: a live diff
// falls back to the render diff with a note saying so, and a sync reports
// that cluster's apps as failed while the other clusters go on.
package reconcile
