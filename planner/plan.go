package planner

import (
	"context"
	"fmt"
	"io/fs"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// AppPlan is what one app deploys to its cluster: its objects in sync
// order. Applications and ApplicationSets that the app renders are not
// objects of the app: they are apps of their own (app of apps).
type AppPlan struct {
	App     *App
	Objects []*Object
	// Sources says what each of the app's sources, in spec order, was read
	// at: the targetRevision it names and the commit or chart version that
	// resolved to.
	Sources []SourceRevision
}

// Plan renders an app and orders its objects. Namespaced objects without a
// namespace get the app's destination namespace. Two objects with the same
// key are an error naming both files. repo is the served tree inv was
// discovered from; sources of other repositories and revisions are read
// through the Repositories of inv's Source, each repoURL and revision
// resolved once for the whole inventory. With a nil inv only repo is read,
// as Renderer.Render reads it.
func (p *Planner) Plan(ctx context.Context, inv *Inventory, repo fs.FS, app *App) (*AppPlan, error) {
	out, ok := inv.renderedOf(app)
	if !ok {
		var err error
		if out, err = p.Renderer.renderLimited(ctx, inv.readerFor(repo, app), app, p.Limits); err != nil {
			return nil, err
		}
	}
	rendered := out.objs
	var plain []*unstructured.Unstructured
	for _, r := range rendered {
		if !isArgoKind(r.Object, "Application") && !isArgoKind(r.Object, "ApplicationSet") {
			plain = append(plain, r.Object)
		}
	}
	scope := newCRDScope(plain, p.scope())
	plan := &AppPlan{App: app, Sources: out.sources}
	where := map[ResourceKey]Rendered{}
	for _, r := range rendered {
		if isArgoKind(r.Object, "Application") || isArgoKind(r.Object, "ApplicationSet") {
			continue
		}
		u := r.Object.DeepCopy()
		if err := fillNamespace(u, app.Namespace, scope); err != nil {
			return nil, appErr(app, r, err)
		}
		o, err := NewObject(u, r.File, r.Line)
		if err != nil {
			return nil, appErr(app, r, err)
		}
		if prev, dup := where[o.Key]; dup {
			return nil, appErr(app, r, fmt.Errorf("%s is rendered twice: here and in %s", o.Key, location(prev)))
		}
		where[o.Key] = r
		o.Secrets = r.Secrets
		plan.Objects = append(plan.Objects, o)
	}
	SortObjects(plan.Objects)
	return plan, nil
}

func (p *Planner) scope() Scope {
	if p.Scope != nil {
		return p.Scope
	}
	return BuiltinScope{}
}

// fillNamespace gives a namespaced object without a namespace the
// destination namespace, and clears the namespace of cluster-scoped ones.
func fillNamespace(u *unstructured.Unstructured, ns string, scope Scope) error {
	namespaced, err := scope.IsNamespaced(u.GroupVersionKind().GroupKind())
	if err != nil {
		return err
	}
	switch {
	case !namespaced:
		u.SetNamespace("")
	case u.GetNamespace() == "":
		if ns == "" {
			ns = "default"
		}
		u.SetNamespace(ns)
	}
	return nil
}

func appErr(app *App, r Rendered, err error) *RenderError {
	return &RenderError{App: app.Name, Cluster: app.Cluster.Name, File: r.File, Line: r.Line, Err: err}
}

func location(r Rendered) string {
	if r.Line > 0 {
		return fmt.Sprintf("%s:%d", r.File, r.Line)
	}
	return r.File
}

// renderedOf returns what Discover already rendered for an app of apps.
func (inv *Inventory) renderedOf(app *App) (renderOutput, bool) {
	if inv == nil {
		return renderOutput{}, false
	}
	r, ok := inv.rendered[app.Key()]
	return r, ok
}

// readerFor returns the reader of inv's Source with repo as the served
// tree, or, without an inventory, a reader of repo alone as the
// repository of app's first source.
func (inv *Inventory) readerFor(repo fs.FS, app *App) *sourceReader {
	if inv == nil || inv.reader == nil {
		return appRepoReader(repo, app)
	}
	return inv.reader.withServed(repo)
}

// HoldsApps reports whether an app renders Applications or ApplicationSets:
// an app of apps, whose children gitwave deploys as apps of their own.
func (inv *Inventory) HoldsApps(app *App) bool {
	for _, r := range inv.rendered[app.Key()].objs {
		if isArgoKind(r.Object, "Application") || isArgoKind(r.Object, "ApplicationSet") {
			return true
		}
	}
	return false
}
