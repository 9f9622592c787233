package ui

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
)

// BenchmarkStatusPage serves the fleet grid of 1,000 apps × 3 clusters
// from a SQLite store, reads included: issue 13's goal is under 200 ms a
// render. It reports ms/render and the page's size.
func BenchmarkStatusPage(b *testing.B) {
	st, err := store.Open(b.Context(), store.Options{DSN: filepath.Join(b.TempDir(), "gitwave.db")})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for i := range 1000 {
		for j, cluster := range []string{"prod-eu", "prod-us", "staging"} {
			s := store.AppStatus{Repo: "acme/gitops", App: fmt.Sprintf("app-%04d", i), Cluster: cluster, Project: "default",
				Sync: store.SyncSynced, Health: "Healthy", DesiredRevision: revB, DeployedRevision: revB,
				LastSync: store.LastSync{Result: "Succeeded", StartedAt: now.Add(-time.Hour), FinishedAt: now.Add(-59 * time.Minute)}}
			if (i+j)%17 == 0 {
				s.Sync, s.Health, s.DeployedRevision, s.Attempts, s.NextRetry = store.SyncOutOfSync, "Degraded", revA, 2, now.Add(time.Minute)
			}
			if err := st.SaveAppStatus(b.Context(), s); err != nil {
				b.Fatal(err)
			}
		}
	}
	srv, err := New(Options{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
		if w.Code != 200 {
			b.Fatalf("GET / = %d", w.Code)
		}
		size = w.Body.Len()
	}
	b.ReportMetric(float64(time.Since(start))/float64(time.Millisecond)/float64(b.N), "ms/render")
	b.ReportMetric(float64(size)/1e6, "MB/page")
}
