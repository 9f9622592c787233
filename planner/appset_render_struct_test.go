package planner

import (
	"reflect"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestSkeletonRendersAsTheJSONWay: templating the template decoded once
// gives the Application, or the error, that templating its JSON, encoding
// and decoding gives, for every field kind an Application has: strings,
// map keys and values, lists, pointers, free-form values (valuesObject,
// plugin) and fields templated to nothing; in goTemplate and legacy mode.
func TestSkeletonRendersAsTheJSONWay(t *testing.T) {
	const tmplYAML = `
metadata:
  name: '{{.name}}-{{.cluster}}'
  labels: {team: '{{.team}}', '{{.cluster}}': 'yes', static: plain}
  annotations: {note: 'for {{.name}}'}
  finalizers: ['{{.finalizer}}']
spec:
  project: '{{.project}}'
  source:
    repoURL: https://git.example/{{.team}}.git
    targetRevision: '{{.rev}}'
    path: apps/{{.name}}
    helm:
      releaseName: '{{.name}}'
      valueFiles: [values.yaml, 'values-{{.cluster}}.yaml']
      valuesObject: {replicas: 2, image: {tag: '{{.rev}}'}, list: ['{{.name}}', 3, true, null], '{{.team}}key': v}
    plugin: {name: p, env: [{name: N, value: '{{.name}}'}]}
  destination: {name: '{{.cluster}}', namespace: '{{.empty}}'}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: ['CreateNamespace=true', 'Label={{.team}}']
  ignoreDifferences: [{group: apps, kind: Deployment, jsonPointers: ['/spec/{{.name}}']}]
  info: [{name: owner, value: '{{.team}}'}]
  revisionHistoryLimit: 3
`
	var tmpl map[string]any
	if err := yaml.Unmarshal([]byte(tmplYAML), &tmpl); err != nil {
		t.Fatal(err)
	}
	params := []paramSet{
		{"name": "web", "cluster": "prod", "team": "pay", "rev": "v1", "project": "default", "finalizer": "f", "empty": ""},
		{"name": "api", "cluster": "dev", "team": "pay", "rev": "<&>", "project": "p", "finalizer": "g", "empty": ""},
		{"name": "web", "cluster": "prod"}, // keys missing
	}
	for _, mode := range []struct {
		name       string
		goTemplate bool
		options    []string
	}{{"goTemplate", true, nil}, {"missingkey=error", true, []string{"missingkey=error"}}, {"legacy", false, nil}} {
		t.Run(mode.name, func(t *testing.T) {
			r, err := newParamTemplater(mode.goTemplate, mode.options)
			if err != nil {
				t.Fatal(err)
			}
			x := &expander{set: &ApplicationSet{}, r: r}
			sk := newAppSkeleton(tmpl)
			if sk == nil {
				t.Fatal("the template did not decode into a skeleton")
			}
			for _, p := range params {
				want, wantErr := x.renderJSON(tmpl, p)
				got, gotErr := r.renderSkeleton(sk, p)
				if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
					t.Fatalf("params %v: error %v; the JSON way's %v", p, gotErr, wantErr)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("params %v:\n got %+v\nwant %+v", p, got, want)
				}
			}
		})
	}
}

// TestSkeletonLeavesUnfixedShapesToTheJSONWay: a template whose field
// names are templated, or whose values decode only once templated, has no
// skeleton, so the JSON way names what is wrong.
func TestSkeletonLeavesUnfixedShapesToTheJSONWay(t *testing.T) {
	for _, tmpl := range []map[string]any{
		{"metadata": map[string]any{"name": "a"}, "spec": map[string]any{"{{.field}}": "x"}},
		{"metadata": map[string]any{"name": "a"}, "spec": map[string]any{"revisionHistoryLimit": "{{.n}}"}},
	} {
		if sk := newAppSkeleton(tmpl); sk != nil {
			t.Errorf("template %v has a skeleton", tmpl)
		}
	}
}
