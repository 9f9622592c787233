package reconcile

import (
	"context"
	"fmt"

	"github.com/gitwave/gitwave/planner"
)

// ProjectsFunc returns the trusted AppProjects that a sync of the revision
// synced is checked against.
type ProjectsFunc func(ctx context.Context, synced planner.Source) (*planner.Projects, error)

// trustedProjects are the projects one Sync checks its apps against, or
// why they could not be read; then every app fails, closed.
type trustedProjects struct {
	projs *planner.Projects
	err   error
}

// projects reads the projects a sync of src is held to: Reconciler.Projects,
// or else src's own. A manifest that cannot be read is not fatal here: it
// refuses the apps of its project, and validate and the pull request
// comment report it.
func (r *Reconciler) projects(ctx context.Context, src planner.Source) trustedProjects {
	if r.Projects != nil {
		p, err := r.Projects(ctx, src)
		if err != nil {
			return trustedProjects{err: fmt.Errorf("read the AppProjects: %w", err)}
		}
		return trustedProjects{projs: p}
	}
	p, _ := planner.LoadProjects(ctx, src)
	if err := ctx.Err(); err != nil {
		return trustedProjects{err: fmt.Errorf("read the AppProjects at %s: %w", src.Revision, err)}
	}
	return trustedProjects{projs: p}
}

// admitApp checks an app's Application against its project before
// anything is rendered.
func (t trustedProjects) admitApp(a *planner.App) error {
	if t.err != nil {
		return fmt.Errorf("%s on %s not synced: %w", a.Name, a.Cluster.Name, t.err)
	}
	if v := t.projs.CheckApp(a); len(v) > 0 {
		return &planner.ProjectError{Violations: v}
	}
	return nil
}

// admitObjects checks an app's planned objects against its project, with
// the scope the cluster applies them with, and the namespace that
// CreateNamespace=true would create when it does not exist yet.
func (r *Reconciler) admitObjects(ctx context.Context, t trustedProjects, a *planner.App, objs []*planner.Object) error {
	if !t.projs.Restricts(a) {
		return nil
	}
	m := r.manager(a.Cluster.Name)
	var scope planner.Scope
	if m != nil {
		scope = m
	}
	v := t.projs.CheckObjects(a, objs, scope)
	if ns := planner.ManagedNamespace(a, objs); ns != nil && m != nil {
		if nv := t.projs.CheckObjects(a, []*planner.Object{ns}, scope); len(nv) > 0 {
			exists, err := m.NamespaceExists(ctx, a.Namespace)
			if err != nil {
				return fmt.Errorf("%s on %s: check its AppProject: %w", a.Name, a.Cluster.Name, err)
			}
			if !exists {
				v = append(v, nv...)
			}
		}
	}
	if len(v) > 0 {
		return &planner.ProjectError{Violations: v}
	}
	return nil
}
