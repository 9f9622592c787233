package markdown

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/planner"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs; got:\n%s", p, got)
	}
}

func cm(name string, data map[string]any, ann map[string]string) *planner.Object {
	u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": "payment"}, "data": data}}
	u.SetAnnotations(ann)
	o, err := planner.NewObject(u, "apps/payment/cm.yaml", 1)
	if err != nil {
		panic(err)
	}
	return o
}

func report(t *testing.T) *planner.Report {
	t.Helper()
	changes, err := planner.DiffObjects(
		[]*planner.Object{cm("settings", map[string]any{"LOG": "info"}, nil), cm("old", map[string]any{"x": "1"}, nil)},
		[]*planner.Object{cm("settings", map[string]any{"LOG": "debug"}, map[string]string{planner.AnnotationSyncWave: "1"}), cm("new", map[string]any{"y": "2"}, nil)},
	)
	if err != nil {
		t.Fatal(err)
	}
	return &planner.Report{
		Base: "1111111111111111111111111111111111111111", Head: "2222222222222222222222222222222222222222",
		Apps: []planner.AppDiff{
			{App: planner.AppKey{App: "payment-service", Cluster: "staging"}, Status: planner.AppChanged, Changes: changes},
			{App: planner.AppKey{App: "broken|app", Cluster: "prod"}, Status: planner.AppError, Error: "apps/x/values.yaml:3: app broken on cluster prod: yaml: did not find expected key"},
			{App: planner.AppKey{App: "quiet", Cluster: "prod"}, Status: planner.AppUnchanged},
		},
	}
}

func TestDiffCommentGolden(t *testing.T) {
	parts := Diff(report(t), DiffOptions{Marker: "<!-- gitwave:diff -->", Notes: []string{"cluster production-use1 is unreachable; its apps are diffed against the base branch"},
		Verdicts: map[planner.AppKey]string{{App: "payment-service", Cluster: "staging"}: ":white_check_mark: allowed"}})
	if len(parts) != 1 {
		t.Fatalf("want one comment, got %d", len(parts))
	}
	golden(t, "comment.md", parts[0])
}

func TestDiffSplitsAndShortensWithinLimit(t *testing.T) {
	rep := &planner.Report{Base: "b", Head: "h"}
	for i := 0; i < 6; i++ {
		big := map[string]any{}
		for k := 0; k < 300; k++ {
			big[fmt.Sprintf("key-%03d", k)] = strings.Repeat("v", 20)
		}
		changes, err := planner.DiffObjects(nil, []*planner.Object{cm(fmt.Sprintf("cm-%d", i), big, nil)})
		if err != nil {
			t.Fatal(err)
		}
		rep.Apps = append(rep.Apps, planner.AppDiff{App: planner.AppKey{App: fmt.Sprintf("app-%d", i), Cluster: "c"}, Status: planner.AppAdded, Changes: changes})
	}
	const limit = 6000
	parts := Diff(rep, DiffOptions{Marker: "<!-- gitwave:diff -->", Limit: limit, Command: "gitwave diff --base b --head h"})
	if len(parts) < 2 {
		t.Fatalf("a report over the limit must be split; got %d part(s)", len(parts))
	}
	for i, p := range parts {
		if len(p) > limit {
			t.Errorf("part %d has %d characters, over the limit %d", i+1, len(p), limit)
		}
		if strings.Count(p, "```")%2 != 0 {
			t.Errorf("part %d leaves a code block open", i+1)
		}
	}
	all := strings.Join(parts, "")
	for i := 0; i < 6; i++ {
		if !strings.Contains(all, fmt.Sprintf("<code>app-%d</code>", i)) {
			t.Errorf("app-%d is missing from every part", i)
		}
	}
	if !strings.Contains(all, "more lines of this diff are left out") || !strings.Contains(all, "gitwave diff --base b --head h") {
		t.Errorf("a shortened diff must say what was left out and how to see it")
	}
	if !strings.Contains(parts[1], "part=2") {
		t.Errorf("later parts carry a marker of their own:\n%s", parts[1][:80])
	}
}

// TestDiffCommentLinksToTheStatusPage: with the status page's external
// URL, each row links to its app × cluster page; a link that could break
// out of the Markdown link is left out.
func TestDiffCommentLinksToTheStatusPage(t *testing.T) {
	links := func(k planner.AppKey) string {
		if k.Cluster == "prod" {
			return "https://gw.example/app?app=" + k.App + ")](javascript:x)"
		}
		return "https://gw.example/app?" + url.Values{"app": {k.App}, "cluster": {k.Cluster}, "repo": {"acme/gitops"}}.Encode()
	}
	parts := Diff(report(t), DiffOptions{Marker: "<!-- gitwave:diff -->", StatusLinks: links})
	if len(parts) != 1 {
		t.Fatalf("want one comment, got %d", len(parts))
	}
	if strings.Contains(parts[0], "javascript:") {
		t.Errorf("a link that ends early is kept:\n%s", parts[0])
	}
	golden(t, "comment_statuslinks.md", parts[0])
}

// TestDiffHeaderNamesSources checks that the comment names each other
// repository and chart the apps read at the revision it resolved to, as
// inert code: a repoURL from a pull request links nothing.
func TestDiffHeaderNamesSources(t *testing.T) {
	rep := report(t)
	rep.Sources = []planner.SourceRevision{
		{RepoURL: "https://github.com/org/k8s-apps.git", TargetRevision: "main", Revision: "3f2a9c1e0b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e"},
		{RepoURL: "https://charts.jetstack.io", Chart: "cert-manager", TargetRevision: "v1.16.*", Revision: "1.16.2"},
		{RepoURL: "https://x.example/[a](https://evil.example)", TargetRevision: "v1"},
	}
	got := Diff(rep, DiffOptions{})[0]
	want := "Sources: `https://github.com/org/k8s-apps.git@main (3f2a9c1)`, `https://charts.jetstack.io cert-manager@v1.16.* (1.16.2)`, " +
		"`https://x.example/[a](https://evil.example)@v1`\n"
	if !strings.Contains(got, want) {
		t.Errorf("comment lacks the sources line %q:\n%s", want, got)
	}
	rep.Sources = nil
	if got := Diff(rep, DiffOptions{})[0]; strings.Contains(got, "Sources:") {
		t.Errorf("a report reading only the served repository names sources:\n%s", got)
	}
}
