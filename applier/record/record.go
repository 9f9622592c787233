// Package record holds the values applier records about a sync through its
// Recorder port: the sync itself, each object's outcome and the inventory an
// app leaves on a cluster. applier owns them; the store implements the port
// with them, so that applier never imports the store. The package imports
// nothing of gitwave's.
package record

import (
	"errors"
	"time"
)

// ErrNotFound is what a Recorder returns, wrapped, when the record asked for
// does not exist.
var ErrNotFound = errors.New("not found")

// Sync is one sync of one app to one cluster, as history shows it.
type Sync struct {
	ID       int64
	App      string
	Cluster  string
	Project  string
	Revision string
	// Sources are the revisions of the other repositories and charts the
	// sync rendered from, as one line; empty when it read only the served
	// repository.
	Sources    string
	Trigger    string // merge, command, selfheal, rollback, cli, removed, or empty
	Initiator  string // who asked: a Git host login, "gitwave" for self-heal
	StartedAt  time.Time
	FinishedAt time.Time // zero while Running
	Phase      string    // Running, Succeeded, Failed, Terminated, Error, Refused, Deleted or Orphaned
	Message    string
	Objects    []ObjectResult
}

// WithSources is rev (the record's revision as the caller shortens it)
// followed by the other repositories and charts the sync read, when it
// read any: "a1b2c3d + https://github.com/org/k8s-apps.git@main (3f2a9c1)".
func (r Sync) WithSources(rev string) string {
	if r.Sources == "" {
		return rev
	}
	return rev + " + " + r.Sources
}

// ObjectResult is what a sync did to one object.
type ObjectResult struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	SyncPhase string `json:"syncPhase,omitempty"` // PreSync, Sync, PostSync, SyncFail
	Wave      int    `json:"wave"`
	// Action is created, configured, unchanged, pruned, pruneSkipped,
	// hookSucceeded, hookFailed, failed or notApplied.
	Action  string `json:"action"`
	Health  string `json:"health,omitempty"`
	Message string `json:"message,omitempty"`
}

// InventoryEntry names one object an app deployed to a cluster.
type InventoryEntry struct {
	Group     string `json:"group,omitempty"`
	Version   string `json:"version,omitempty"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}
