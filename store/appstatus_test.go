package store

import (
	"testing"
	"time"
)

// TestAppStatusRoundTripsAndFilters: a status saved is read back whole,
// saving again replaces it, filters select by repository, app and cluster,
// and a deleted status is gone.
func TestAppStatusRoundTripsAndFilters(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		web := AppStatus{Repo: "acme/gitops", App: "web", Cluster: "prod", Project: "team", Sync: SyncOutOfSync,
			Health: "Degraded", DesiredRevision: "r2", DeployedRevision: "r1",
			LastSync: LastSync{Result: PhaseFailed, StartedAt: at, FinishedAt: at.Add(time.Minute), Message: "hook failed"},
			Attempts: 2, NextRetry: at.Add(2 * time.Minute), UnknownReason: "", UpdatedAt: at}
		for _, st := range []AppStatus{web,
			{Repo: "acme/gitops", App: "web", Cluster: "staging", Sync: SyncSynced, Health: "Healthy"},
			{Repo: "acme/other", App: "api", Cluster: "prod", Sync: SyncUnknown, Health: "Unknown", UnknownReason: "cluster unreachable"}} {
			if err := s.SaveAppStatus(ctx(t), st); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.AppStatuses(ctx(t), AppStatusFilter{Repo: "acme/gitops", Cluster: "prod"})
		if err != nil || len(got) != 1 || got[0] != web {
			t.Fatalf("AppStatuses(acme/gitops, prod) = %+v, %v; want %+v", got, err, web)
		}
		web.Sync, web.Attempts, web.NextRetry = SyncSynced, 0, time.Time{}
		if err := s.SaveAppStatus(ctx(t), web); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AppStatuses(ctx(t), AppStatusFilter{App: "web", Cluster: "prod"}); len(got) != 1 || got[0].Sync != SyncSynced || got[0].Attempts != 0 || !got[0].NextRetry.IsZero() {
			t.Errorf("after a second save: %+v; want it replaced", got)
		}
		if all, _ := s.AppStatuses(ctx(t), AppStatusFilter{}); len(all) != 3 || all[0].Repo != "acme/gitops" || all[2].UnknownReason != "cluster unreachable" {
			t.Errorf("every status: %+v", all)
		}
		if err := s.DeleteAppStatus(ctx(t), "acme/gitops", "web", "prod"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.AppStatuses(ctx(t), AppStatusFilter{App: "web"}); len(got) != 1 || got[0].Cluster != "staging" {
			t.Errorf("after delete: %+v; want only staging", got)
		}
		if err := s.SaveAppStatus(ctx(t), AppStatus{App: "web", Cluster: "prod"}); err == nil {
			t.Error("a status without a repository was saved")
		}
	})
}

// TestLatestSyncsPerAppAndCluster: the newest sync and the newest success
// of each app and cluster, in one call.
func TestLatestSyncsPerAppAndCluster(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		s := db.open(t)
		ok := deploy(t, db, s, "web", "prod", "r1", PhaseSucceeded)
		failed := deploy(t, db, s, "web", "prod", "r2", PhaseFailed)
		staging := deploy(t, db, s, "web", "staging", "r2", PhaseTerminated)
		latest, succeeded, err := s.LatestSyncs(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		if r := latest[SyncKey{"web", "prod"}]; r.ID != failed || r.Revision != "r2" || r.Phase != PhaseFailed {
			t.Errorf("latest web@prod = %+v; want the failed r2 sync %d", r, failed)
		}
		if r := succeeded[SyncKey{"web", "prod"}]; r.ID != ok || r.Revision != "r1" {
			t.Errorf("succeeded web@prod = %+v; want r1 (%d)", r, ok)
		}
		if r := latest[SyncKey{"web", "staging"}]; r.ID != staging || r.Phase != PhaseTerminated {
			t.Errorf("latest web@staging = %+v; want the terminated sync", r)
		}
		if _, found := succeeded[SyncKey{"web", "staging"}]; found || len(latest) != 2 {
			t.Errorf("succeeded has staging or latest has %d entries", len(latest))
		}
	})
}
