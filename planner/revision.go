package planner

import (
	"context"
	"fmt"
	"io/fs"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Revision is one revision as one job planned it: its Source, the
// Inventory discovered from it, and the plan of each app, made once however
// many steps of the job ask for it (the render diff, the AppProject check,
// the live diff, the sync). It is safe for concurrent use.
//
// Decision: what the planner computed travels in the Report it returns
// (Report.BaseRevision, Report.HeadRevision) rather than in a cache owned
// by reconcile. A Report is already the one value that bot, cmd and
// reconcile hand each other for a job, so the work goes wherever the
// report goes and lives exactly as long; a cache keyed by revision would
// would need an owner, a size and an eviction.
type Revision struct {
	// Source is the repository at the revision.
	Source Source
	// Inventory is every app Source produces.
	Inventory *Inventory

	p        *Planner
	depsOnce sync.Once
	deps     *dependencyIndex

	mu    sync.Mutex
	plans map[*App]*planned
}

// planned is one app's plan, made once.
type planned struct {
	mu   sync.Mutex
	done bool
	plan *AppPlan
	err  error
}

// NewRevision holds an inventory already discovered from src, so that its
// apps are planned once each through Plan.
func (p *Planner) NewRevision(src Source, inv *Inventory) *Revision {
	return &Revision{Source: src, Inventory: inv, p: p, plans: map[*App]*planned{}}
}

// DiscoverRevision discovers src. With a sibling discovered from Sources
// sharing their Repositories, each other repository and chart is read once
// for both, so that both see it at the same commit; sibling may be nil.
func (p *Planner) DiscoverRevision(ctx context.Context, src Source, sibling *Revision) (*Revision, error) {
	rd := newSourceReader(src)
	if sibling != nil && sibling.Inventory != nil && sibling.Inventory.reader != nil &&
		sameRepositories(sibling.Source.Repositories, src.Repositories) {
		rd.memo = sibling.Inventory.reader.memo
	}
	inv, err := p.discover(ctx, rd, src)
	if err != nil {
		return nil, err
	}
	return p.NewRevision(src, inv), nil
}

// discoverPair discovers base and head in parallel, sharing one reader
// memo when they share their Repositories. When one tree was derived from
// the other, its scan and, when the change leaves discovery alone, its
// inventory follow from the other's: that other one is discovered first.
func (p *Planner) discoverPair(ctx context.Context, base, head Source) (*Revision, *Revision, error) {
	srcs, rds := [2]Source{base, head}, [2]*sourceReader{newSourceReader(base), newSourceReader(head)}
	if sameRepositories(base.Repositories, head.Repositories) {
		rds[0].memo = rds[1].memo
	}
	var invs [2]*Inventory
	if first, ok := derivedPair(base.Repo, head.Repo); ok {
		for _, i := range []int{first, 1 - first} {
			var err error
			if invs[i], err = p.discover(ctx, rds[i], srcs[i]); err != nil {
				return nil, nil, err
			}
		}
	} else {
		g, gctx := errgroup.WithContext(ctx)
		for i := range srcs {
			g.Go(func() (err error) { invs[i], err = p.discover(gctx, rds[i], srcs[i]); return err })
		}
		if err := g.Wait(); err != nil {
			return nil, nil, err
		}
	}
	return p.NewRevision(base, invs[0]), p.NewRevision(head, invs[1]), nil
}

// derivedPair reports whether one of two commit trees was derived from the
// other (see DerivedTree), and which one to discover first: 0 for a, 1 for
// b.
func derivedPair(a, b fs.FS) (first int, ok bool) {
	ca, cb := commitOf(a), commitOf(b)
	switch {
	case ca == "" || cb == "" || ca == cb:
		return 0, false
	case derivedFrom(b) == ca:
		return 0, true
	case derivedFrom(a) == cb:
		return 1, true
	}
	return 0, false
}

// Plan is Planner.Plan for an app of the revision's Inventory, made once:
// a later call for the same app returns the same plan (or error) without
// rendering again. A plan abandoned because ctx ended is not kept. The
// plan's objects are shared: callers must not modify them.
func (r *Revision) Plan(ctx context.Context, app *App) (*AppPlan, error) {
	if r == nil {
		return nil, fmt.Errorf("plan %s on %s: no revision was discovered", app.Name, app.Cluster.Name)
	}
	r.mu.Lock()
	e, ok := r.plans[app]
	if !ok {
		e = &planned{}
		r.plans[app] = e
	}
	r.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.done {
		return e.plan, e.err
	}
	plan, err := r.p.Plan(ctx, r.Inventory, r.Source.Repo, app)
	if err != nil && ctx.Err() != nil {
		return nil, err
	}
	e.plan, e.err, e.done = plan, err, true
	return plan, err
}

// Keep hands the revision a plan of one of its apps made earlier, for
// instance by a loop that keeps plans across passes: Plan then returns it
// without rendering. A plan the revision already holds stays as it is.
func (r *Revision) Keep(app *App, plan *AppPlan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.plans[app]; !ok {
		r.plans[app] = &planned{done: true, plan: plan}
	}
}

// Dependencies is the package-level Dependencies for an app of this
// revision, worked out through one index per revision (the Planner keeps
// a commit tree's for later revisions of that commit), so that each
// Chart.yaml and kustomization is read once however many apps share it.
func (r *Revision) Dependencies(app *App) []string {
	return r.depIndex().Dependencies(app)
}
