package planner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"sigs.k8s.io/yaml"
)

// argocdGeneratorCase is one of Argo CD's own generator test cases, written
// as gitwave input under testdata/argocd.
type argocdGeneratorCase struct {
	// Name is Argo CD's test function and case name.
	Name string `json:"name"`
	// Note says how the case was carried over, where it was not verbatim
	// (Argo CD mocks some generators; gitwave reads real files instead).
	Note string `json:"note,omitempty"`
	// Skip is why the case is not run: it needs something gitwave does
	// not have.
	Skip string `json:"skip,omitempty"`
	// Files is the repository the git generators read, path to content.
	Files map[string]string `json:"files,omitempty"`
	// Clusters are the clusters the clusters generator sees.
	Clusters []Cluster `json:"clusters,omitempty"`
	// Error is true when Argo CD expects an error; the golden file holds
	// gitwave's message.
	Error bool `json:"error,omitempty"`
	// ErrorContains are strings Argo CD's test requires in the error.
	ErrorContains []string `json:"errorContains,omitempty"`
	// Spec is the ApplicationSet spec: goTemplate, goTemplateOptions and
	// exactly one generator.
	Spec map[string]any `json:"spec"`
}

// argocdGeneratorResult is what a case generated: the parameter sets in
// gitwave's order, or the error.
type argocdGeneratorResult struct {
	Name   string           `json:"name"`
	Params []map[string]any `json:"params,omitempty"`
	Error  string           `json:"error,omitempty"`
	Skip   string           `json:"skip,omitempty"`
}

// TestArgoCDGeneratorCases runs Argo CD's matrix and merge generator test
// cases and compares the parameter sets with testdata/argocd/NAME.golden.yaml
// (run with -update to regenerate; each golden file was checked by reading
// against the expected values in Argo CD's tests).
func TestArgoCDGeneratorCases(t *testing.T) {
	for _, file := range []string{"matrix", "merge"} {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata/argocd", file+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var cases []argocdGeneratorCase
			if err := yaml.UnmarshalStrict(data, &cases); err != nil {
				t.Fatalf("%s.yaml: %v", file, err)
			}
			results := make([]argocdGeneratorResult, 0, len(cases))
			for _, c := range cases {
				results = append(results, runArgoCDCase(t, c))
			}
			got, err := yaml.Marshal(results)
			if err != nil {
				t.Fatal(err)
			}
			appsetCheckGolden(t, filepath.Join("testdata/argocd", file+".golden.yaml"), got)
		})
	}
}

// runArgoCDCase generates the parameter sets of the case's one generator
// through the product's decoder and expander.
func runArgoCDCase(t *testing.T, c argocdGeneratorCase) argocdGeneratorResult {
	t.Helper()
	res := argocdGeneratorResult{Name: c.Name, Skip: c.Skip}
	if c.Skip != "" {
		return res
	}
	spec := deepCopyMap(c.Spec)
	spec["template"] = map[string]any{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{"project": "default"}}
	doc, err := yaml.Marshal(map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
		"metadata": map[string]any{"name": "argocd-case", "namespace": "argocd"},
		"spec":     spec,
	})
	if err != nil {
		t.Fatal(err)
	}
	set, err := ParseApplicationSet("case.yaml", 1, doc)
	if err != nil {
		res.Error = err.Error()
		checkArgoCDError(t, c, res.Error)
		return res
	}
	if len(set.Spec.Generators) != 1 {
		t.Fatalf("%s: want exactly one generator, have %d", c.Name, len(set.Spec.Generators))
	}
	repo := fstest.MapFS{}
	for path, content := range c.Files {
		repo[path] = &fstest.MapFile{Data: []byte(content)}
	}
	opts := ExpandOptions{Clusters: c.Clusters, Repo: repo, RepoURL: appsetRepoURL, Revision: appsetRevision,
		Limits: Limits{}.WithDefaults()}
	r, err := newParamTemplater(set.Spec.GoTemplate, set.Spec.GoTemplateOptions)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	x := &expander{ctx: ctx, set: set, opts: opts, r: r, noted: map[string]bool{}, maxApps: opts.Limits.MaxAppsPerAppSet,
		reader: newSourceReader(Source{Repo: repo, RepoURL: appsetRepoURL, Revision: appsetRevision})}
	sets, err := x.generate(ctx, &set.Spec.Generators[0], 0, nil)
	if err != nil {
		res.Error = err.Error()
		checkArgoCDError(t, c, res.Error)
		return res
	}
	if c.Error {
		t.Errorf("%s: generated %d parameter sets, want an error as in Argo CD", c.Name, len(sets))
	}
	res.Params = sets
	return res
}

func checkArgoCDError(t *testing.T, c argocdGeneratorCase, msg string) {
	t.Helper()
	if !c.Error {
		t.Errorf("%s: %s, want parameter sets as in Argo CD", c.Name, msg)
	}
	if strings.TrimSpace(msg) == "" {
		t.Errorf("%s: empty error message", c.Name)
	}
	for _, want := range c.ErrorContains {
		if !strings.Contains(msg, want) {
			t.Errorf("%s: error %q does not name %q", c.Name, msg, want)
		}
	}
}
