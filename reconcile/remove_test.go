package reconcile

import (
	"testing"

	"github.com/gitwave/gitwave/planner"
)

// TestRemovalFinalizer decides deleted or orphaned as Argo CD would: the
// app's own finalizer, unless a removed ancestor Application lacks it and
// so leaves the child Application in place.
func TestRemovalFinalizer(t *testing.T) {
	root := &planner.App{Name: "root"}
	rootFin := &planner.App{Name: "root", Finalizers: []string{FinalizerBackground}}
	child := &planner.App{Name: "child", Ancestors: []string{"root"}, Finalizers: []string{"other.example/keep", FinalizerResources}}
	bare := &planner.App{Name: "bare"}
	inv := func(apps ...*planner.App) *planner.Inventory { return &planner.Inventory{Apps: apps} }
	tests := []struct {
		name       string
		app        *planner.App
		base, head *planner.Inventory
		want, by   string
	}{
		{"own finalizer", child, inv(root, child), inv(root), FinalizerResources, ""},
		{"no finalizer", bare, inv(bare), inv(), "", ""},
		{"parent removed without the finalizer orphans the child", child, inv(root, child), inv(), "", "root"},
		{"parent removed with the finalizer cascades", child, inv(rootFin, child), inv(), FinalizerResources, ""},
	}
	for _, tt := range tests {
		got, by := RemovalFinalizer(tt.app, tt.base, tt.head)
		if got != tt.want || by != tt.by {
			t.Errorf("%s: RemovalFinalizer = %q, %q; want %q, %q", tt.name, got, by, tt.want, tt.by)
		}
	}
}
