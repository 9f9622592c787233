package planner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// runaway is a template that loops 10^10 times without output.
const runaway = "{{ range until 100000 }}{{ range until 100000 }}{{ end }}{{ end }}"

// TestRenderDeadlineHelm renders a Helm chart whose template loops 10^10
// times: the render is abandoned at its deadline, the caller gets the
// limit error naming the app, and gets it at the deadline. Go cannot stop
// the abandoned Helm template, which keeps a CPU busy for minutes, so the
// render runs in a child test process that exits with it.
func TestRenderDeadlineHelm(t *testing.T) {
	if os.Getenv("GITWAVE_TEST_CHILD") != "" {
		renderDeadlineHelm(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestRenderDeadlineHelm$", "-test.v")
	cmd.Env = append(os.Environ(), "GITWAVE_TEST_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestRenderDeadlineHelm") {
		t.Errorf("child test failed: %v\n%s", err, out)
	}
}

func renderDeadlineHelm(t *testing.T) {
	repo := mapRepo(map[string]string{
		"c/Chart.yaml":          "apiVersion: v2\nname: c\nversion: 0.1.0\n",
		"c/templates/loop.yaml": runaway + "\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	p := &Planner{Limits: Limits{RenderTimeout: 300 * time.Millisecond}}
	start := time.Now()
	_, err := p.Plan(t.Context(), nil, repo, testApp(ApplicationSource{Path: "c"}))
	if elapsed := time.Since(start); elapsed > 3*time.Second {
		t.Errorf("render returned after %v, want about its 300ms deadline", elapsed)
	}
	var re *RenderError
	if !errors.As(err, &re) || !IsLimit(err) || !strings.Contains(err.Error(), "render of payment exceeded 300ms") {
		t.Fatalf("got %v, want a RenderError saying render of payment exceeded 300ms", err)
	}
	if re.App != "payment" || re.Cluster != "staging" {
		t.Errorf("error names app %q cluster %q", re.App, re.Cluster)
	}
	if AbandonedRenders() != 1 {
		t.Errorf("AbandonedRenders() = %d, want the Helm render counted", AbandonedRenders())
	}
}

// TestLimitMessages checks the wording of the default deadline and of a
// limit error.
func TestLimitMessages(t *testing.T) {
	l := Limits{}.WithDefaults()
	if got := "exceeded " + seconds(l.RenderTimeout); got != "exceeded 60s" {
		t.Errorf("default deadline reads %q, want exceeded 60s", got)
	}
	e := &LimitError{What: "render of payment", Limit: "renderTimeout", Message: "exceeded 60s"}
	if e.Error() != "render of payment exceeded 60s (limits.renderTimeout)" {
		t.Errorf("LimitError reads %q", e.Error())
	}
	want := Limits{RenderTimeout: 60 * time.Second, MaxAppsPerAppSet: 1000, MaxAppsPerRevision: 10000,
		MaxObjectsPerApp: 10000, MaxRenderedBytesPerApp: 50 << 20}
	if l != want {
		t.Errorf("defaults %+v, want %+v", l, want)
	}
}

// TestAppSetTemplateRunawayStops expands ApplicationSets whose goTemplate
// loops 10^10 times, or appends to a list quadratically: the expansion
// fails at its deadline, and the abandoned template stops soon after
// instead of keeping a CPU busy.
func TestAppSetTemplateRunawayStops(t *testing.T) {
	for _, loop := range []string{runaway, "{{ $l := list }}{{ range until 100000 }}{{ $l = append $l . }}{{ end }}"} {
		t.Run(loop, func(t *testing.T) { appSetTemplateRunawayStops(t, loop) })
	}
}

func appSetTemplateRunawayStops(t *testing.T, loop string) {
	doc := appsetBadHeader + `  goTemplate: true
  generators:
    - list: {elements: [{n: a}]}
  template:
    metadata: {name: 'x-{{ .n }}` + loop + `'}
    spec:
      project: default
      source: {repoURL: x, path: p}
      destination: {server: https://kubernetes.default.svc}
`
	set, err := ParseApplicationSet("bad.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	before := AbandonedRenders()
	_, err = set.Expand(t.Context(), ExpandOptions{Limits: Limits{RenderTimeout: 200 * time.Millisecond}})
	if !IsLimit(err) || !strings.Contains(err.Error(), "exceeded 200ms") {
		t.Fatalf("got %v, want the expansion to exceed 200ms", err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for AbandonedRenders() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := AbandonedRenders(); n > before {
		t.Errorf("%d abandoned template(s) still running 3s after the deadline", n-before)
	}
}

// TestAppSetSequenceCaps checks that until, seq and repeat refuse values
// that would allocate without bound.
func TestAppSetSequenceCaps(t *testing.T) {
	for _, expr := range []string{"{{ len (until 100001) }}", "{{ untilStep 0 100000000 1 | len }}",
		"{{ seq 1 100000000 | len }}", "{{ repeat 100000000 \"x\" | len }}"} {
		doc := appsetBadHeader + `  goTemplate: true
  generators:
    - list: {elements: [{n: a}]}
  template:
    metadata: {name: 'x-` + expr + `'}
    spec:
      project: default
      source: {repoURL: x, path: p}
      destination: {server: https://kubernetes.default.svc}
`
		set, err := ParseApplicationSet("bad.yaml", 1, []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := set.Expand(t.Context(), ExpandOptions{}); err == nil || !strings.Contains(err.Error(), "more than") {
			t.Errorf("%s: %v, want it refused", expr, err)
		}
	}
	doc := appsetBadHeader + `  goTemplate: true
  generators:
    - list: {elements: [{n: a}]}
  template:
    metadata: {name: 'x-{{ len (until 3) }}-{{ untilStep 0 6 2 | len }}-{{ seq 1 3 | replace " " "-" }}-{{ repeat 2 "y" }}'}
    spec:
      project: default
      source: {repoURL: x, path: p}
      destination: {server: https://kubernetes.default.svc}
`
	set, err := ParseApplicationSet("bad.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	apps, err := set.Expand(t.Context(), ExpandOptions{})
	if err != nil || len(apps) != 1 || apps[0].Metadata.Name != "x-3-3-1-2-3-yy" {
		t.Errorf("small sequences: %v, %v", apps, err)
	}
}

// TestAppSetMatrixCap expands a 24 KB ApplicationSet whose matrix of two
// 1000-element lists would make a million apps: it fails on the
// per-ApplicationSet cap without generating them.
func TestAppSetMatrixCap(t *testing.T) {
	var a, b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&a, "{x: a%04d}, ", i)
		fmt.Fprintf(&b, "{y: b%04d}, ", i)
	}
	doc := appsetBadHeader + `  goTemplate: true
  generators:
    - matrix:
        generators:
          - list: {elements: [` + a.String() + `]}
          - list: {elements: [` + b.String() + `]}
  template:
    metadata: {name: '{{ .x }}-{{ .y }}'}
    spec:
      project: default
      source: {repoURL: x, path: p}
      destination: {server: https://kubernetes.default.svc}
`
	if len(doc) < 24_000 || len(doc) > 30_000 {
		t.Fatalf("the ApplicationSet has %d bytes, want about 24 KB", len(doc))
	}
	set, err := ParseApplicationSet("bad.yaml", 1, []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = set.Expand(t.Context(), ExpandOptions{})
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("expansion took %v, want it to stop at the cap", elapsed)
	}
	if !IsLimit(err) || !strings.Contains(err.Error(), "generates more than 1000 apps (limits.maxAppsPerApplicationSet)") {
		t.Errorf("got %v, want the per-ApplicationSet cap", err)
	}
}

// fanChart is a 600-byte chart whose template renders ten Applications of
// itself: an app of apps that fans out tenfold at every level, below the
// depth limit, unless the per-revision cap stops it.
const fanChart = `{{- range until 10 }}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ $.Values.p }}-{{ . }}
spec:
  project: default
  source:
    repoURL: https://example.com/r.git
    path: fan
    helm: {values: "p: {{ $.Values.p }}-{{ . }}"}
  destination: {name: in-cluster, namespace: x}
{{- end }}
`

// TestAppOfAppsFanOutCap discovers the fanning app of apps: discovery
// stops at the apps-per-revision cap with a limit error, quickly. Every
// Application met counts, those refused for their depth included. (The
// default cap of 10,000 takes about 6 s here, mostly Helm renders; the
// test uses 500 to stay short under the race detector.)
func TestAppOfAppsFanOutCap(t *testing.T) {
	repo := mapRepo(map[string]string{
		"fan/Chart.yaml":         "apiVersion: v2\nname: fan\nversion: 0.1.0\n",
		"fan/values.yaml":        "p: a\n",
		"fan/templates/fan.yaml": fanChart,
		"root.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\nspec:\n  project: default\n" +
			"  source: {repoURL: https://example.com/r.git, path: fan}\n  destination: {name: in-cluster, namespace: x}\n",
	})
	if n := len(fanChart) + len(repo["fan/Chart.yaml"].Data) + len(repo["fan/values.yaml"].Data); n > 700 {
		t.Fatalf("the chart has %d bytes, want about 600", n)
	}
	p := &Planner{Limits: Limits{MaxAppsPerRevision: 500}}
	start := time.Now()
	inv, err := p.Discover(t.Context(), Source{Repo: repo, RepoURL: "https://example.com/r.git"})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("discovery stopped after %v with %d apps", time.Since(start), len(inv.Apps))
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("discovery took %v", elapsed)
	}
	if len(inv.Apps) > 500 || len(inv.Apps) < 40 {
		t.Errorf("%d apps, want discovery to stop at the cap of 500 Applications met", len(inv.Apps))
	}
	var limits []error
	for _, e := range inv.Errors {
		if IsLimit(e) {
			limits = append(limits, e)
		}
	}
	if len(limits) != 1 || !strings.Contains(limits[0].Error(), "produces more than 500 apps") ||
		!strings.Contains(limits[0].Error(), "(limits.maxAppsPerRevision)") {
		t.Errorf("limit errors %v, want one apps-per-revision limit error", limits)
	}
}

// TestRenderObjectAndByteCaps checks the per-app caps on objects and bytes.
func TestRenderObjectAndByteCaps(t *testing.T) {
	var docs strings.Builder
	for i := range 6 {
		fmt.Fprintf(&docs, "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i)
	}
	repo := mapRepo(map[string]string{"d/cms.yaml": docs.String()})
	app := testApp(ApplicationSource{Path: "d"})
	tests := []struct {
		limits Limits
		want   string
	}{
		{Limits{MaxObjectsPerApp: 5}, "render of payment produced more than 5 objects (limits.maxObjectsPerApp)"},
		{Limits{MaxRenderedBytesPerApp: 100}, "render of payment produced more than 100 bytes (limits.maxRenderedBytesPerApp)"},
	}
	for _, tt := range tests {
		_, err := (&Planner{Limits: tt.limits}).Plan(t.Context(), nil, repo, app)
		if !IsLimit(err) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: got %v, want %q", tt.limits, err, tt.want)
		}
	}
	if _, err := (&Planner{}).Plan(t.Context(), nil, repo, app); err != nil {
		t.Errorf("within the default limits: %v", err)
	}
}
