package notify

import (
	"maps"
	"strings"
	"time"
)

// AppState is the status of one app on one cluster, as gitwave's
// desired-state loop records it, with what the Application manifest says.
type AppState struct {
	// Repo is the roots repository (owner/name), App the app's name,
	// Cluster and Server the destination cluster's name and API server.
	Repo, App, Cluster, Server string
	// Project is the app's AppProject ("default" when empty).
	Project string
	// Sync is Synced, OutOfSync or Unknown.
	Sync string
	// Health is Healthy, Progressing, Degraded, Suspended, Missing or Unknown.
	Health string
	// HealthSince is when Health last changed; zero means the end of the
	// last sync.
	HealthSince time.Time
	// DesiredRevision is the commit Git wants; DeployedRevision the one last
	// applied successfully.
	DesiredRevision, DeployedRevision string
	// LastSync is the last sync operation, nil when there was none.
	LastSync *SyncRun
	// Metadata and Spec are the Application manifest's (labels, annotations
	// with the notifications.argoproj.io subscriptions, source, ...).
	Metadata, Spec map[string]any
	// Images and ExternalURLs are status.summary.
	Images, ExternalURLs []string
	// DeletedAt is set when the app was removed from Git.
	DeletedAt time.Time
}

// SyncRun is one sync operation of an app on a cluster.
type SyncRun struct {
	// Result is Running, Succeeded, Failed or Error (other spellings such
	// as "success" or "failure" are normalized).
	Result     string
	StartedAt  time.Time
	FinishedAt time.Time
	Message    string
	// Revision is the commit being synced; empty means DesiredRevision.
	Revision string
}

// Scope names the app × cluster in the Ledger.
func (s AppState) Scope() string {
	return s.Repo + "/" + s.App + "@" + s.Cluster
}

// Application is the Argo CD Application that `app` is in expressions and
// templates: the manifest's metadata and spec with spec.destination set to
// the cluster, and a status built from gitwave's.
func (s AppState) Application() map[string]any {
	meta := copyMap(s.Metadata)
	if meta["name"] == nil || meta["name"] == "" {
		meta["name"] = s.App
	}
	if !s.DeletedAt.IsZero() {
		meta["deletionTimestamp"] = stamp(s.DeletedAt)
	}
	spec := copyMap(s.Spec)
	dest := copyMap(asMap(spec["destination"]))
	dest["name"], dest["server"] = s.Cluster, s.Server
	spec["destination"] = dest
	if s.Project != "" {
		spec["project"] = s.Project
	} else if spec["project"] == nil {
		spec["project"] = "default"
	}
	return map[string]any{
		"apiVersion": "argoproj.io/v1alpha1",
		"kind":       "Application",
		"metadata":   meta,
		"spec":       spec,
		"status":     s.status(),
	}
}

func (s AppState) status() map[string]any {
	revision := firstNonEmpty(s.DesiredRevision, s.DeployedRevision)
	healthSince := s.HealthSince
	if healthSince.IsZero() && s.LastSync != nil {
		healthSince = firstTime(s.LastSync.FinishedAt, s.LastSync.StartedAt)
	}
	health := map[string]any{"status": orUnknown(s.Health)}
	if !healthSince.IsZero() {
		health["lastTransitionTime"] = stamp(healthSince)
	}
	st := map[string]any{
		"sync":    map[string]any{"status": orUnknown(s.Sync), "revision": revision},
		"health":  health,
		"summary": map[string]any{"images": strs(s.Images), "externalURLs": strs(s.ExternalURLs)},
	}
	if s.LastSync != nil {
		st["operationState"] = s.LastSync.operationState(firstNonEmpty(s.LastSync.Revision, revision))
	}
	return st
}

func (r *SyncRun) operationState(revision string) map[string]any {
	op := map[string]any{
		"phase":      Phase(r.Result),
		"message":    r.Message,
		"startedAt":  stamp(r.StartedAt),
		"syncResult": map[string]any{"revision": revision},
		"operation":  map[string]any{"sync": map[string]any{"revision": revision}},
	}
	if !r.FinishedAt.IsZero() {
		op["finishedAt"] = stamp(r.FinishedAt)
	}
	return op
}

// Phase maps a sync result to Argo CD's operation phase: Running,
// Succeeded, Failed, Error or Terminating.
func Phase(result string) string {
	switch strings.ToLower(result) {
	case "running", "started", "pending":
		return "Running"
	case "succeeded", "success", "synced", "ok":
		return "Succeeded"
	case "failed", "failure":
		return "Failed"
	case "terminating":
		return "Terminating"
	default:
		return "Error"
	}
}

// stamp is metav1.Time's JSON form.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	maps.Copy(out, m)
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func strs(in []string) []any {
	out := make([]any, len(in))
	for i, s := range in {
		out[i] = s
	}
	return out
}

func orUnknown(s string) string {
	if s == "" {
		return "Unknown"
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func firstTime(a, b time.Time) time.Time {
	if !a.IsZero() {
		return a
	}
	return b
}
