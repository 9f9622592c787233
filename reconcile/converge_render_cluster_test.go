package reconcile

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// otherRepoURL is a repository besides the served one, holding one
// ConfigMap under cm/.
const otherRepoURL = "https://example.com/other.git"

// otherRepo serves otherRepoURL.
type otherRepo struct{}

func (otherRepo) Tree(_ context.Context, repoURL, _ string) (fs.FS, string, error) {
	if repoURL != otherRepoURL {
		return nil, "", &planner.UnlistedSourceError{RepoURL: repoURL}
	}
	return fstest.MapFS{"cm/cm.yaml": {Data: []byte(configMap("settings", "1"))}}, strings.Repeat("c", 40), nil
}

func (otherRepo) Chart(context.Context, string, string, string, int64) (planner.ChartArchive, error) {
	return planner.ChartArchive{}, errors.New("no chart repositories")
}

// renderCounter is a Scope counting renders: Plan asks the scope of each
// object it renders once, and every app here renders one ConfigMap.
type renderCounter struct{ n atomic.Int64 }

func (c *renderCounter) IsNamespaced(gk schema.GroupKind) (bool, error) {
	if gk == (schema.GroupKind{Kind: "ConfigMap"}) {
		c.n.Add(1)
	}
	return planner.BuiltinScope{}.IsNamespaced(gk)
}

// TestConvergeSyncsWhatItPlanned: a pass of the loop renders each app
// once, and the sync of a due app (first deploy or self-heal) applies that
// render. An app reading only the served repository, planned in an
// earlier pass, is not rendered at all; one reading another repository is
// rendered once per pass.
func TestConvergeSyncsWhatItPlanned(t *testing.T) {
	remote := strings.Replace(app("or-remote", "0", "cm", "east"), "source: {repoURL: "+repoURL+",",
		"source: {repoURL: "+otherRepoURL+", targetRevision: HEAD,", 1)
	l := newLoop(t, fstest.MapFS{
		"apps/or-quiet.yaml":  {Data: []byte(app("or-quiet", "0", "quiet", "east"))},
		"apps/or-remote.yaml": {Data: []byte(remote)},
		"quiet/cm.yaml":       {Data: []byte(configMap("settings", "1"))},
	})
	counter := &renderCounter{}
	l.r.Planner.Scope = counter
	l.src.Repositories = otherRepo{}
	inv, err := l.r.Planner.Discover(t.Context(), l.src)
	if err != nil || len(inv.Errors) > 0 || len(inv.Apps) != 2 {
		t.Fatalf("discover: %v %v %d apps", err, inv.Errors, len(inv.Apps))
	}
	l.inv = inv
	east := kubernetes.NewForConfigOrDie(shared.Need(t).RESTConfig("east"))

	pass := func(step string, want int64) map[string]store.AppStatus {
		t.Helper()
		counter.n.Store(0)
		s := l.pass(t, l.desired())
		if got := counter.n.Load(); got != want {
			t.Errorf("%s: %d renders; want %d", step, got, want)
		}
		return s
	}
	s := pass("first pass deploying both apps", 2)
	for _, a := range []string{"or-quiet", "or-remote"} {
		if s[a].Sync != store.SyncSynced || s[a].LastSync.Result != store.PhaseSucceeded {
			t.Fatalf("%s after the first pass: %+v; want deployed", a, s[a])
		}
	}

	setLive(t, east, "or-quiet", "settings", "drifted")
	waitLive()
	s = pass("pass healing the quiet app (only the remote app is rendered)", 1)
	if v := liveValue(t, east, "or-quiet", "settings"); v != "1" || s["or-quiet"].Sync != store.SyncSynced {
		t.Errorf("or-quiet: live %q, %s; want healed back to 1", v, s["or-quiet"].Sync)
	}

	setLive(t, east, "or-remote", "settings", "drifted")
	waitLive()
	s = pass("pass healing the remote app", 1)
	if v := liveValue(t, east, "or-remote", "settings"); v != "1" || s["or-remote"].Sync != store.SyncSynced {
		t.Errorf("or-remote: live %q, %s; want healed back to 1", v, s["or-remote"].Sync)
	}
	for a, want := range map[string]int{"or-quiet": 2, "or-remote": 2} {
		if n := syncs(t, l.st, a, "east"); n != want {
			t.Errorf("syncs of %s = %d; want %d (deploy, heal)", a, n, want)
		}
	}
}
