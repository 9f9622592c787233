package applier

import (
	"time"

	"github.com/gitwave/gitwave/planner"
)

// SyncRequest asks Sync to make a cluster match an app.
type SyncRequest struct {
	// App is the app on this Manager's cluster.
	App *planner.App
	// Objects are the app's rendered objects, hooks included.
	Objects []*planner.Object
	// Revision is the Git revision the objects were rendered from.
	Revision string
	// Sources are the revisions of the other repositories and charts the
	// objects were rendered from, as one line (history shows it).
	Sources string
	// Trigger says what started the sync ("merge", "comment", "selfHeal",
	// "cli"); Initiator who ("octocat").
	Trigger, Initiator string
	// Prune deletes objects of the previous inventory that are no longer
	// desired; without it they are reported as extraneous and kept.
	Prune bool
	// RefuseEmpty marks an automated sync without allowEmpty: when it
	// prunes and renders no object but hooks while the app owns objects on
	// the cluster, it is refused, nothing is pruned, and history records
	// Refused.
	RefuseEmpty bool
	// Resume continues the app's Running sync of the same revision, trigger
	// and initiator, left by a worker that stopped, instead of refusing to
	// start (store.ResumeSync). Only a job run again after its worker's
	// lease ran out sets it.
	Resume bool
	// DryRun sends every apply with dryRun=All: nothing changes, no hook
	// runs, nothing is waited for, pruned or recorded.
	DryRun bool
}

// SyncPhase is the end state of a sync, as the store records it.
type SyncPhase string

// The sync phases.
const (
	SyncRunning    SyncPhase = "Running"
	SyncSucceeded  SyncPhase = "Succeeded"
	SyncFailed     SyncPhase = "Failed"
	SyncTerminated SyncPhase = "Terminated"
	SyncError      SyncPhase = "Error"
)

// ObjectOutcome is what a sync did to one object.
type ObjectOutcome struct {
	Key planner.ResourceKey
	// Version is the apiVersion ("apps/v1").
	Version string
	Phase   planner.Phase
	Wave    int
	Hook    bool
	// Action is one of the Action* constants.
	Action  string
	Health  Health
	Message string
}

// StepResult is the outcome of one phase-and-wave step.
type StepResult struct {
	Phase   planner.Phase
	Wave    int
	Objects []ObjectOutcome
}

// Result is the outcome of a sync.
type Result struct {
	// ID is the store's record id, 0 when nothing was recorded.
	ID      int64
	Phase   SyncPhase
	Message string
	// Attempts counts the runs, retries included.
	Attempts int
	// Steps are the steps of the last attempt, SyncFail hooks included when
	// they ran.
	Steps []StepResult
	// Pruned lists the objects pruned, or kept and reported (pruneSkipped).
	Pruned []ObjectOutcome
	// Duration is the whole sync; WaitDuration the part spent waiting for
	// health.
	Duration, WaitDuration time.Duration
}

// Outcomes returns every object outcome, steps then prune.
func (r *Result) Outcomes() []ObjectOutcome {
	var out []ObjectOutcome
	for _, s := range r.Steps {
		out = append(out, s.Objects...)
	}
	return append(out, r.Pruned...)
}

// EventType names a progress event.
type EventType string

// The progress events Sync sends, in the order they happen.
const (
	EventStepStarted   EventType = "StepStarted"
	EventObjectApplied EventType = "ObjectApplied"
	EventWaiting       EventType = "Waiting"
	EventStepDone      EventType = "StepDone"
	EventHookDone      EventType = "HookDone"
	EventPruned        EventType = "Pruned"
	EventRetry         EventType = "Retry"
	EventSyncDone      EventType = "SyncDone"
	// EventDeleted is an object deleted with its app (Manager.Delete).
	EventDeleted EventType = "Deleted"
)

// Event is one line of a sync's progress, for terminals and PR comments.
type Event struct {
	Type    EventType
	App     string
	Cluster string
	Phase   planner.Phase
	Wave    int
	// Key and Action are set for object events.
	Key     planner.ResourceKey
	Action  string
	Health  Health
	Message string
	Attempt int
}
