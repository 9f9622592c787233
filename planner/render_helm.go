package planner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/ignore"
	"helm.sh/helm/v3/pkg/release"
	"helm.sh/helm/v3/pkg/releaseutil"
)

// renderHelm renders a local chart in-process as `helm template
// --include-crds` does: CRDs from crds/ (unless skipCrds), then the
// manifests in Helm's install order, then the hooks (test hooks dropped,
// other hooks kept with their annotations); NOTES.txt is dropped.
func (r *Renderer) renderHelm(ctx context.Context, repo fs.FS, rs renderSource) ([]Rendered, error) {
	ch, err := r.loadChart(repo, rs.path)
	if err != nil {
		return nil, err
	}
	return r.renderChart(ctx, repo, rs, ch)
}

// renderChart renders ch, a private copy of the chart at rs.path in repo,
// with the source's values; dependencies missing from its charts/ are
// fetched first.
func (r *Renderer) renderChart(ctx context.Context, repo fs.FS, rs renderSource, ch *chart.Chart) ([]Rendered, error) {
	h := rs.src.Helm
	if h == nil {
		h = &ApplicationSourceHelm{}
	}
	if err := r.addDependencies(ctx, rs, rs.path, ch, 0); err != nil {
		return nil, err
	}
	vals, err := helmValues(repo, rs, h)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, fileErr(joinRepo(rs.path, "Chart.yaml"), 0, fmt.Errorf("chart dependencies: %w", err))
	}
	caps, err := helmCapabilities(rs.app, h)
	if err != nil {
		return nil, fileErr(rs.app.File, rs.app.Line, err)
	}
	if kv := ch.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return nil, fileErr(joinRepo(rs.path, "Chart.yaml"), lineOf(chartFile(ch), "kubeVersion"),
			fmt.Errorf("chart requires kubeVersion %s, which is incompatible with Kubernetes %s", kv, caps.KubeVersion.String()))
	}
	opts := chartutil.ReleaseOptions{
		Name:      firstNonEmpty(h.ReleaseName, rs.app.Name),
		Namespace: firstNonEmpty(h.Namespace, rs.app.Namespace),
		Revision:  1,
		IsInstall: true,
	}
	top, err := chartutil.ToRenderValues(ch, vals, opts, caps)
	if err != nil {
		return nil, fileErr(joinRepo(rs.path, "values.yaml"), 0, fmt.Errorf("chart values: %w", err))
	}
	files, err := engine.Engine{Strict: r.Options.HelmStrict}.Render(ch, top)
	if err != nil {
		return nil, templateError(rs.path, err)
	}
	for name, content := range files {
		if err := rs.budget.addBytes(int64(len(content)), templateRepoPath(rs.path, name)); err != nil {
			return nil, err
		}
	}
	return helmObjects(rs.path, ch, files, h.SkipCrds)
}

// helmObjects splits rendered templates into objects in `helm template`
// order.
func helmObjects(chartDir string, ch *chart.Chart, files map[string]string, skipCrds bool) ([]Rendered, error) {
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, templateError(chartDir, err)
	}
	var out []Rendered
	add := func(name, content string) error {
		objs, errs := parseDocuments(templateRepoPath(chartDir, name), []byte(content))
		if len(errs) > 0 {
			errs[0].Line = 0 // a line of rendered output, not of the template
			return errs[0]
		}
		for i := range objs {
			objs[i].Line = 0
		}
		out = append(out, objs...)
		return nil
	}
	if !skipCrds {
		for _, crd := range ch.CRDObjects() {
			if err := add(crd.Filename, string(crd.File.Data)); err != nil {
				return nil, err
			}
		}
	}
	for _, m := range manifests {
		if err := add(m.Name, m.Content); err != nil {
			return nil, err
		}
	}
	for _, hk := range hooks {
		if isTestHook(hk) {
			continue
		}
		if err := add(hk.Path, hk.Manifest); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func isTestHook(h *release.Hook) bool {
	for _, e := range h.Events {
		if e == release.HookTest {
			return true
		}
	}
	return false
}

// helmCapabilities builds .Capabilities for the app's cluster: the source's
// kubeVersion, else the cluster's, else Helm's default; Helm's default API
// versions plus the source's (else the cluster's) extra ones.
func helmCapabilities(app *App, h *ApplicationSourceHelm) (*chartutil.Capabilities, error) {
	caps := chartutil.DefaultCapabilities.Copy()
	if v := firstNonEmpty(h.KubeVersion, app.Cluster.KubeVersion); v != "" {
		kv, err := chartutil.ParseKubeVersion(v)
		if err != nil {
			return nil, fmt.Errorf("kubernetes version %q: %w", v, err)
		}
		caps.KubeVersion = *kv
	}
	extra := h.APIVersions
	if len(extra) == 0 {
		extra = app.Cluster.APIVersions
	}
	caps.APIVersions = append(append(chartutil.VersionSet{}, caps.APIVersions...), extra...)
	return caps, nil
}

// templateLocRE finds "chart/templates/x.yaml:12" in Helm's messages.
var templateLocRE = regexp.MustCompile(`([\w.-]+(?:/[\w.@-]+)*\.(?:yaml|yml|tpl|txt|json)):(\d+)`)

// templateNameRE finds a template name with no line ("on chart/x.yaml").
var templateNameRE = regexp.MustCompile(`(?:on|in) \(?([\w.-]+(?:/[\w.@-]+)+\.(?:yaml|yml|tpl|txt|json))`)

// templateError places a Helm render error at the template and line Helm
// names, as a repository path.
func templateError(chartDir string, err error) error {
	msg := err.Error()
	if m := templateLocRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[2])
		return fileErr(templateRepoPath(chartDir, m[1]), line, fmt.Errorf("render chart: %s", msg))
	}
	if m := templateNameRE.FindStringSubmatch(msg); m != nil {
		return fileErr(templateRepoPath(chartDir, m[1]), 0, fmt.Errorf("render chart: %s", msg))
	}
	return fileErr(chartDir, 0, fmt.Errorf("render chart: %w", err))
}

// templateRepoPath turns a Helm template name ("mychart/templates/x.yaml",
// led by the chart's name) into a repository path under the chart dir.
func templateRepoPath(chartDir, name string) string {
	_, rest, ok := strings.Cut(name, "/")
	if !ok {
		return joinRepo(chartDir, name)
	}
	return joinRepo(chartDir, rest)
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// chartFile returns the raw Chart.yaml of ch, for locating errors.
func chartFile(ch *chart.Chart) []byte {
	for _, f := range ch.Raw {
		if f.Name == "Chart.yaml" {
			return f.Data
		}
	}
	return nil
}

// readChartFiles reads a chart directory as Helm's directory loader does:
// every file not matched by .helmignore, with symbolic links followed only
// while they stay inside the repository.
func readChartFiles(repo fs.FS, dir string) ([]*loader.BufferedFile, error) {
	rules := ignore.Empty()
	if data, err := fs.ReadFile(repo, joinRepo(dir, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fileErr(joinRepo(dir, ignore.HelmIgnore), 0, fmt.Errorf("parse .helmignore: %w", err))
		}
	}
	rules.AddDefaults()
	var files []*loader.BufferedFile
	err := walkChartDir(repo, dir, "", rules, &files, 0)
	return files, err
}

func walkChartDir(repo fs.FS, dir, prefix string, rules *ignore.Rules, files *[]*loader.BufferedFile, depth int) error {
	if depth > maxSymlinkHops {
		return fileErr(dir, 0, errors.New("chart directory links too deep"))
	}
	entries, err := fs.ReadDir(repo, dir)
	if err != nil {
		return fileErr(dir, 0, fmt.Errorf("read chart directory: %w", err))
	}
	for _, e := range entries {
		name, p := path.Join(prefix, e.Name()), joinRepo(dir, e.Name())
		target := p
		if e.Type()&fs.ModeSymlink != 0 {
			if target, err = ResolveRepoPath(repo, p); err != nil {
				return fileErr(p, 0, err)
			}
		}
		info, err := fs.Stat(repo, target)
		if err != nil {
			return fileErr(p, 0, fmt.Errorf("read chart file: %w", err))
		}
		if rules.Ignore(name, info) {
			continue
		}
		if info.IsDir() {
			if err := walkChartDir(repo, target, name, rules, files, depth+1); err != nil {
				return err
			}
			continue
		}
		data, err := fs.ReadFile(repo, target)
		if err != nil {
			return fileErr(p, 0, fmt.Errorf("read chart file: %w", err))
		}
		*files = append(*files, &loader.BufferedFile{Name: name, Data: bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))})
	}
	return nil
}

// RepoIdentifier is implemented by repository file systems that can name
// their content: two values with the same identity must hold the same
// files (a commit or tree hash does). The Renderer keys its chart cache by
// it; other file systems are keyed by their own identity.
type RepoIdentifier interface {
	RepoIdentity() string
}

// maxCachedCharts bounds the chart cache; past it the cache starts over.
const maxCachedCharts = 512

type chartCacheKey struct {
	repo any
	dir  string
}

type chartCacheEntry struct {
	once  sync.Once
	chart *chart.Chart
	err   error
	keep  fs.FS // holds a map-keyed file system alive so its address is not reused
}

// loadChart returns a private copy of the chart at dir, parsed once per
// repository and path.
func (r *Renderer) loadChart(repo fs.FS, dir string) (*chart.Chart, error) {
	repo = plainRepo(repo)
	id, ok := repoIdentity(repo)
	if !ok || r.Options.DisableChartCache {
		return parseChart(repo, dir)
	}
	key := chartCacheKey{repo: id, dir: dir}
	v, loaded := r.charts.LoadOrStore(key, &chartCacheEntry{keep: repo})
	if !loaded && r.chartCount.Add(1) > maxCachedCharts {
		r.charts.Clear()
		r.chartCount.Store(0)
	}
	e := v.(*chartCacheEntry)
	e.once.Do(func() { e.chart, e.err = parseChart(repo, dir) })
	if e.err != nil {
		return nil, e.err
	}
	return cloneChart(e.chart), nil
}

// repoIdentity returns a comparable key for repo's content, if it has one.
func repoIdentity(repo fs.FS) (any, bool) {
	if id, ok := repo.(RepoIdentifier); ok {
		return "id:" + id.RepoIdentity(), true
	}
	v := reflect.ValueOf(repo)
	switch {
	case v.Kind() == reflect.Map:
		return mapIdentity{t: v.Type(), p: v.Pointer()}, true
	case v.Comparable():
		return repo, true
	}
	return nil, false
}

type mapIdentity struct {
	t reflect.Type
	p uintptr
}

func parseChart(repo fs.FS, dir string) (*chart.Chart, error) {
	files, err := readChartFiles(repo, dir)
	if err != nil {
		return nil, err
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fileErr(joinRepo(dir, "Chart.yaml"), 0, fmt.Errorf("load chart: %w", err))
	}
	return ch, nil
}

// cloneChart copies what rendering changes in a chart (values, dependency
// switches, the dependency tree) and shares the rest, which is read-only.
func cloneChart(c *chart.Chart) *chart.Chart {
	n := *c
	n.Values = deepCopyMap(c.Values)
	if c.Metadata != nil {
		md := *c.Metadata
		md.Dependencies = make([]*chart.Dependency, len(c.Metadata.Dependencies))
		for i, d := range c.Metadata.Dependencies {
			dc := *d
			md.Dependencies[i] = &dc
		}
		n.Metadata = &md
	}
	deps := make([]*chart.Chart, 0, len(c.Dependencies()))
	for _, d := range c.Dependencies() {
		deps = append(deps, cloneChart(d))
	}
	n.SetDependencies(deps...)
	return &n
}

// deepCopyMap copies a YAML-decoded map and everything below it.
func deepCopyMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopyMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = deepCopyValue(e)
		}
		return out
	}
	return v
}
