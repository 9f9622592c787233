package planner

import (
	"reflect"
	"testing"
)

// TestSharedSpecKnowsEveryField fails when ApplicationSpec or Cluster gains
// a field: sharedSpec and sameCluster compare field by field, and would
// call two apps the same that differ in the new one.
func TestSharedSpecKnowsEveryField(t *testing.T) {
	for typ, want := range map[reflect.Type]int{
		reflect.TypeFor[ApplicationSpec](): 8,
		reflect.TypeFor[Cluster]():         8,
	} {
		if got := typ.NumField(); got != want {
			t.Errorf("%s has %d fields, sharedSpec/sameCluster compare %d: compare the new ones, then update this test", typ, got, want)
		}
	}
}

// TestSameAppDecidesAsJSON checks that sameApp calls two apps the same
// exactly when their spec, cluster and wave encode alike, whether or not
// they share their parts.
func TestSameAppDecidesAsJSON(t *testing.T) {
	src := &ApplicationSource{RepoURL: "https://example.com/r.git", Path: "a"}
	base := App{Name: "a", Cluster: Cluster{Name: "c", Server: "https://c", Labels: map[string]string{"env": "prod"}},
		Spec: ApplicationSpec{Source: src, Destination: Destination{Namespace: "n"}}}
	copySrc := *src
	cases := []struct {
		name string
		edit func(a *App)
		want bool
	}{
		{"shared parts", func(a *App) {}, true},
		{"equal copy of the source", func(a *App) { a.Spec.Source = &copySrc }, true},
		{"empty annotations for none", func(a *App) { a.Cluster.Annotations = map[string]string{} }, true},
		{"other path", func(a *App) { s := *src; s.Path = "b"; a.Spec.Source = &s }, false},
		{"other label", func(a *App) { a.Cluster.Labels = map[string]string{"env": "dev"} }, false},
		{"other wave", func(a *App) { a.Wave = 1 }, false},
		{"other namespace", func(a *App) { a.Spec.Destination.Namespace = "m" }, false},
		{"empty sources for none", func(a *App) { a.Spec.Sources = []ApplicationSource{} }, true},
	}
	for _, tc := range cases {
		a := base
		a.Cluster.Labels = map[string]string{"env": "prod"}
		tc.edit(&a)
		if got := sameApp(&base, &a); got != tc.want {
			t.Errorf("%s: sameApp = %v, want %v", tc.name, got, tc.want)
		}
	}
}
