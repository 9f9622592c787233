package bot_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// observed records what the loop tells Options.StatusObserver and
// Options.OnDefaultBranch.
type observed struct {
	mu      sync.Mutex
	changes map[string]int // app@cluster: changes heard
	noApp   int            // changes heard without the Application
	heads   []string       // repo@revision
}

func (o *observed) ObserveStatus(_ context.Context, app *planner.App, _, cur store.AppStatus) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if app == nil || app.Name != cur.App || app.Cluster.Name != cur.Cluster {
		o.noApp++
	}
	o.changes[cur.App+"@"+cur.Cluster]++
}

func (o *observed) onHead(_ context.Context, repo config.Repo, head planner.Source) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.heads = append(o.heads, repo.Name+"@"+head.Revision)
}

// TestLoopTellsTheObserverAndTheDefaultBranch: the bot hands the loop's
// status changes, with their Application, to Options.StatusObserver (what
// serve wires notifications to), and the default branch's head to
// Options.OnDefaultBranch before; a quiet pass tells nothing, and a pass
// that cannot fetch the repository hands no head.
func TestLoopTellsTheObserverAndTheDefaultBranch(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	ctx := context.Background()
	o := &observed{changes: map[string]int{}}
	opts := f.opts
	opts.Holder, opts.StatusObserver, opts.OnDefaultBranch = "observed", o, o.onHead
	b, err := bot.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sts, _ := f.store.AppStatuses(ctx, store.AppStatusFilter{Repo: exampleRepo})
	if len(sts) == 0 || len(o.changes) != len(sts) || o.noApp != 0 {
		t.Fatalf("observer heard %v (%d without their Application); want each of the %d apps once with it", o.changes, o.noApp, len(sts))
	}
	if len(o.heads) != 1 || o.heads[0] != exampleRepo+"@"+f.ex.BaseSHA {
		t.Fatalf("default branch heads %v; want %s at the base", o.heads, exampleRepo)
	}
	if err := b.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	for k, n := range o.changes {
		if n != 1 {
			t.Errorf("%s heard %d times; want once, nothing changed", k, n)
		}
	}
	hidden := f.ex.Dir + ".away"
	if err := os.Rename(f.ex.Dir, hidden); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(hidden, f.ex.Dir)
	if err := b.ReconcileOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(o.heads) != 2 {
		t.Errorf("default branch heads %v; want no head from the pass that could not fetch", o.heads)
	}
}
