package examplerepo

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/planner"
)

// wantDiff is what the pull request does to one app, per the example's
// design: its status and the objects it adds or changes.
type wantDiff struct {
	status  planner.AppStatus
	objects []string // "change key", in sync order
}

// prDiff is the pull request's effect on every app it touches; every other
// app is unchanged.
func prDiff() map[string]wantDiff {
	want := map[string]wantDiff{}
	for _, c := range []string{"staging", "production-apne2", "production-use1"} {
		var added []string
		for _, k := range svcApp("inventory-service") {
			added = append(added, "added "+k)
		}
		want["inventory-service-"+c+"@"+c] = wantDiff{planner.AppAdded, added}
		want["payment-service-"+c+"@"+c] = wantDiff{planner.AppChanged, []string{
			"changed batch/Job/payment-service/db-migration",
			"changed Secret/payment-service/payment-db-credentials",
			"changed ConfigMap/payment-service/payment-config",
			"changed apps/Deployment/payment-service/payment-service",
		}}
	}
	for _, c := range []string{"production-apne2", "production-use1"} {
		want["redis-"+c+"@"+c] = wantDiff{planner.AppChanged, []string{"changed apps/Deployment/redis/redis"}}
	}
	return want
}

func TestPullRequestDiff(t *testing.T) {
	repo := buildExample(t)
	head := filepath.Join(t.TempDir(), "head")
	gitOut(t, repo.Dir, "worktree", "add", "-q", head, PRBranch)
	base, headSrc := exampleSource(t, repo.Dir, repo.BaseSHA), exampleSource(t, head, repo.HeadSHA)
	tests := []struct {
		name    string
		changed []string
		// skipped are the apps the diff leaves out: those that no changed
		// file feeds. The rest are unchanged unless prDiff says otherwise;
		// the microservices ApplicationSet and root-applications, which
		// renders it, changed, so their apps are rendered and unchanged.
		skipped []string
	}{
		{"every app", nil, nil},
		{"apps the changed files touch", repo.Changed, []string{
			"root-infrastructure@in-cluster", "root-platform@in-cluster",
			"monitoring-agent-production-apne2@production-apne2", "monitoring-agent-production-use1@production-use1",
			"redis-staging@staging",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &planner.Planner{}
			rep, err := p.DiffRevisions(context.Background(), base, headSrc, planner.DiffOptions{Changed: tt.changed})
			if err != nil {
				t.Fatalf("DiffRevisions: %v", err)
			}
			if rep.HasErrors() {
				t.Errorf("report has errors: %q", rep.Errors)
			}
			want := prDiff()
			for _, a := range headApps {
				key := a.app + "@" + a.cluster
				if _, ok := want[key]; !ok && !slices.Contains(tt.skipped, key) {
					want[key] = wantDiff{status: planner.AppUnchanged}
				}
			}
			got := map[string]wantDiff{}
			for _, a := range rep.Apps {
				d := wantDiff{status: a.Status}
				for _, c := range a.Changes {
					if c.Action != planner.ActionUnchanged {
						d.objects = append(d.objects, string(c.Action)+" "+c.Key.String())
					}
				}
				if a.Error != "" {
					t.Errorf("%s: %s", a.App, a.Error)
				}
				got[a.App.String()] = d
			}
			for _, k := range sortedKeys(want, got) {
				if fmt.Sprint(got[k]) != fmt.Sprint(want[k]) {
					t.Errorf("%s: got %v, want %v", k, got[k], want[k])
				}
			}
			checkPaymentDiff(t, rep)
		})
	}
}

// checkPaymentDiff checks what a reviewer reads about payment-service: the
// new image, the new ConfigMap key, and a password shown only as changed.
func checkPaymentDiff(t *testing.T, rep *planner.Report) {
	t.Helper()
	for _, a := range rep.Apps {
		if !strings.HasPrefix(a.App.App, "payment-service-") {
			continue
		}
		for _, c := range a.Changes {
			if strings.Contains(c.Diff, "example-not-a-secret") {
				t.Errorf("%s: %s: the diff shows the password:\n%s", a.App, c.Key, c.Diff)
			}
			want := map[string][]string{
				"Secret":     {"+  DB_PASSWORD: " + planner.MaskChanged},
				"ConfigMap":  {"+  PAYMENT_PROVIDER_TIMEOUT: 5s"},
				"Deployment": {"-        image: registry.internal/payment-service:v2.3.1", "+        image: registry.internal/payment-service:v2.4.0"},
			}[c.Key.Kind]
			for _, line := range want {
				if !slices.Contains(strings.Split(c.Diff, "\n"), line) {
					t.Errorf("%s: %s: diff lacks the line %q:\n%s", a.App, c.Key, line, c.Diff)
				}
			}
		}
	}
}

func sortedKeys[V any](maps ...map[string]V) []string {
	var keys []string
	for _, m := range maps {
		for k := range m {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}
