package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
)

// TestStatusFromTheStore: `gitwave status` prints what the loop saved, as
// a table and as the JSON list other tools read, filtered by app and
// cluster.
func TestStatusFromTheStore(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), store.Options{DSN: filepath.Join(dir, "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, s := range []store.AppStatus{
		{Repo: "acme/gitops", App: "web", Cluster: "prod", Project: "team", Sync: store.SyncSynced, Health: "Healthy",
			DesiredRevision: "1111111111111111", DeployedRevision: "1111111111111111",
			LastSync: store.LastSync{Result: store.PhaseSucceeded, StartedAt: at, FinishedAt: at.Add(time.Minute), Message: "successfully synced"}},
		{Repo: "acme/gitops", App: "web", Cluster: "staging", Project: "team", Sync: store.SyncOutOfSync, Health: "Degraded",
			DesiredRevision: "2222222222222222", DeployedRevision: "1111111111111111", Attempts: 2, NextRetry: at.Add(20 * time.Second),
			LastSync: store.LastSync{Result: store.PhaseFailed, StartedAt: at, FinishedAt: at.Add(time.Second), Message: "hook failed"}},
		{Repo: "acme/gitops", App: "api", Cluster: "edge", Sync: store.SyncUnknown, Health: "Unknown",
			DesiredRevision: "2222222222222222", UnknownReason: "cluster edge unreachable: connection refused"},
	} {
		if err := st.SaveAppStatus(context.Background(), s); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	out, errOut, code := run(t, "status", "--data-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "status.txt", out)
	out, errOut, code = run(t, "status", "--data-dir", dir, "--app", "web", "--cluster", "staging", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "status.json", out)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("JSON: %v, %d rows; want one", err, len(rows))
	}
	for _, k := range []string{"app", "cluster", "project", "sync", "health", "desiredRevision", "deployedRevision", "lastSync", "nextRetry"} {
		if _, ok := rows[0][k]; !ok {
			t.Errorf("JSON row lacks %q: %v", k, rows[0])
		}
	}
	if rows[0]["nextRetry"] != "2026-03-01T12:00:20Z" || rows[0]["sync"] != "OutOfSync" {
		t.Errorf("row = %v; want the retry at 12:00:20 and OutOfSync", rows[0])
	}
}
