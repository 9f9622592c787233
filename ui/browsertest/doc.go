// Package browsertest drives the status page (package ui) in headless
// Chromium against real local clusters: an app is deployed by the
// reconcile loop, and the page a person would open is read and clicked
// through. It holds tests only; `go test ./ui/browsertest -update` also
// refreshes the README's screenshots in docs/statuspage.
package browsertest
