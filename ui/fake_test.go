package ui

import (
	"context"
	"time"

	"github.com/gitwave/gitwave/store"
)

// fakeStore serves fixed statuses, history and pins.
type fakeStore struct {
	statuses []store.AppStatus
	history  []store.SyncRecord
	pins     []store.Pin
}

func (f *fakeStore) AppStatuses(_ context.Context, flt store.AppStatusFilter) ([]store.AppStatus, error) {
	var out []store.AppStatus
	for _, st := range f.statuses {
		if (flt.Repo == "" || flt.Repo == st.Repo) && (flt.App == "" || flt.App == st.App) && (flt.Cluster == "" || flt.Cluster == st.Cluster) {
			out = append(out, st)
		}
	}
	return out, nil
}

func (f *fakeStore) History(_ context.Context, app, cluster string, limit int) ([]store.SyncRecord, error) {
	var out []store.SyncRecord
	for _, h := range f.history {
		if h.App == app && h.Cluster == cluster && (limit <= 0 || len(out) < limit) {
			out = append(out, h)
		}
	}
	return out, nil
}

func (f *fakeStore) Pins(_ context.Context, app string) ([]store.Pin, error) {
	var out []store.Pin
	for _, p := range f.pins {
		if app == "" || p.App == app {
			out = append(out, p)
		}
	}
	return out, nil
}

var testNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

const (
	revA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	revB = "b2c3d4e5f60718293a4b5c6d7e8f901234567890"
)

// twoApps is guestbook synced on two clusters and billing out of sync on
// one, with a failed sync waiting for its retry.
func twoApps() *fakeStore {
	ok := store.LastSync{Result: "Succeeded", StartedAt: testNow.Add(-5 * time.Minute), FinishedAt: testNow.Add(-4 * time.Minute)}
	return &fakeStore{statuses: []store.AppStatus{
		{Repo: "acme/gitops", App: "billing", Cluster: "prod", Project: "payments", Sync: "OutOfSync", Health: "Degraded",
			DesiredRevision: revB, DeployedRevision: revA, Attempts: 2, NextRetry: testNow.Add(40 * time.Second),
			LastSync: store.LastSync{Result: "Failed", StartedAt: testNow.Add(-time.Minute), FinishedAt: testNow.Add(-50 * time.Second)}},
		{Repo: "acme/gitops", App: "guestbook", Cluster: "prod", Project: "default", Sync: "Synced", Health: "Healthy",
			DesiredRevision: revA, DeployedRevision: revA, LastSync: ok},
		{Repo: "acme/gitops", App: "guestbook", Cluster: "staging", Project: "default", Sync: "Synced", Health: "Healthy",
			DesiredRevision: revA, DeployedRevision: revA, LastSync: ok},
	}}
}
