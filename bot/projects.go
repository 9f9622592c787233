package bot

import (
	"context"
	"fmt"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
	"github.com/gitwave/gitwave/reconcile"
)

// defaultBranchProjects gives every sync of repo the AppProjects of its
// default branch's tip, fetched at the time of the sync: a pull request,
// whose head /sync may deploy, never defines its own boundary. The
// projects are read once per tip.
func (b *Bot) defaultBranchProjects(repo config.Repo) reconcile.ProjectsFunc {
	var mu sync.Mutex
	var tip string
	var cached *planner.Projects
	return func(ctx context.Context, _ planner.Source) (*planner.Projects, error) {
		co, err := b.mirrors.fetch(ctx, repo)
		if err != nil {
			return nil, err
		}
		defer co.Close()
		sha, err := co.resolve(ctx, repo.DefaultBranch)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		defer mu.Unlock()
		if sha == tip {
			return cached, nil
		}
		src, err := co.source(ctx, sha)
		if err != nil {
			return nil, err
		}
		projs, errs := planner.LoadProjects(ctx, src)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(errs) == 0 {
			// A tip with problems is read again next time: a failed read
			// refuses every app only until it reads.
			tip, cached = sha, projs
		}
		return projs, nil
	}
}

// projectReport is what the default branch's AppProjects say of a pull
// request's apps.
type projectReport struct {
	// projs are the default branch's AppProjects.
	projs *planner.Projects
	// perApp lists each refused app's violations.
	perApp map[planner.AppKey][]planner.Violation
	// first is the first violation, for the status.
	first *planner.Violation
	// notes are the AppProject manifests of the default branch that
	// cannot be read.
	notes []string
}

// checkProjects holds every app the pull request changes, as the head
// renders it, to the AppProjects of the default branch (defaults).
func (b *Bot) checkProjects(ctx context.Context, defaults planner.Source, rep *planner.Report) projectReport {
	projs, errs := planner.LoadProjects(ctx, defaults)
	pr := projectReport{projs: projs, perApp: map[planner.AppKey][]planner.Violation{}}
	for _, e := range errs {
		pr.notes = append(pr.notes, ":no_entry: **AppProject** on the default branch: "+markdown.Code(e.Error()))
	}
	if !projs.Enforced() {
		return pr
	}
	found := make([][]planner.Violation, len(rep.Apps))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i := range rep.Apps {
		d := &rep.Apps[i]
		if d.After == nil || d.Status == planner.AppError {
			continue
		}
		g.Go(func() error {
			found[i] = checkProject(ctx, projs, d.After, rep.HeadRevision)
			return nil
		})
	}
	_ = g.Wait()
	for i, vs := range found {
		if len(vs) == 0 {
			continue
		}
		pr.perApp[rep.Apps[i].App] = vs
		if pr.first == nil {
			pr.first = &vs[0]
		}
	}
	return pr
}

// checkProject checks one app, and its objects when its project restricts
// them and it renders (a render error is the diff's to report).
func checkProject(ctx context.Context, projs *planner.Projects, app *planner.App, head *planner.Revision) []planner.Violation {
	vs := projs.CheckApp(app)
	if len(vs) > 0 && vs[0].Rule == planner.RuleProject || !projs.Restricts(app) {
		return vs
	}
	if plan, err := head.Plan(ctx, app); err == nil {
		vs = append(vs, projs.CheckObjects(app, plan.Objects, nil)...)
	}
	return vs
}

// addTo puts the project verdicts into the policy report: the app's Policy
// cell, and a failed gitwave/policy naming the first violation unless the
// path policy already failed it.
func (p projectReport) addTo(pol *policyReport) {
	pol.notes = append(pol.notes, p.notes...)
	for key, vs := range p.perApp {
		cell := fmt.Sprintf(":no_entry: AppProject %s: %d violation(s)", markdown.Code(vs[0].Project), len(vs))
		if prev := pol.perApp[key]; prev != "" && prev != verdictCell(policies.ChangeVerdict{Allowed: true}) {
			cell = prev + "; " + cell
		}
		pol.perApp[key] = cell
	}
	if p.first != nil && pol.status.State != "failure" {
		pol.status = Status{Context: "gitwave/policy", State: "failure",
			Description: fmt.Sprintf("%d app(s) refused by their AppProject; %s@%s: %s", len(p.perApp), p.first.App, p.first.Cluster, p.first.String())}
	}
}

// appNotes lists each refused app's violations for its section of the
// comment, as code so that nothing from the pull request is read as
// Markdown.
func (p projectReport) appNotes() map[planner.AppKey][]string {
	out := map[planner.AppKey][]string{}
	for key, vs := range p.perApp {
		notes := []string{":no_entry: **Refused by its AppProject**; merging deploys nothing of it:"}
		for _, v := range vs {
			notes = append(notes, "- "+markdown.Code(v.String()))
		}
		out[key] = notes
	}
	return out
}

// skipLive keeps an app its project refuses from being diffed against its
// live cluster: it reads nothing of the cluster.
func (p projectReport) skipLive(app *planner.App) string {
	if vs := p.perApp[app.Key()]; len(vs) > 0 {
		return fmt.Sprintf("its AppProject %s refuses it", vs[0].Project)
	}
	return ""
}

// mayRead is the live diff's scope for objects an app does not own: with
// AppProjects, only namespaced objects in namespaces the app's project
// allows; a cluster-scoped object the app does not own is only said to
// exist. Without AppProjects every object may be read (Argo CD's default
// project allows everything).
func (p projectReport) mayRead() func(*planner.App, planner.ResourceKey) bool {
	if !p.projs.Enforced() {
		return nil
	}
	return func(app *planner.App, key planner.ResourceKey) bool {
		return key.Namespace != "" && p.projs.NamespaceAllowed(app, key.Namespace)
	}
}

// firstOf returns the first non-empty reason.
func firstOf(reasons ...string) string {
	for _, r := range reasons {
		if r != "" {
			return r
		}
	}
	return ""
}
