package planner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// maxChartDepth bounds how deep fetched chart dependencies may nest.
const maxChartDepth = 5

// renderChartSource renders a `chart:` source: the chart fetched from its
// chart repository at targetRevision (an exact version or a semver range)
// through Repositories, unpacked in memory, and rendered as a chart in a
// Git repository is. Relative value files are read from the chart; `$ref`
// value files from the ref source's tree. It returns the archive fetched,
// whose Version and Digest say what the range resolved to.
func (r *Renderer) renderChartSource(ctx context.Context, rs renderSource) ([]Rendered, ChartArchive, error) {
	src := rs.src
	a, err := rs.reader.chart(ctx, src.RepoURL, src.Chart, src.TargetRevision, rs.budget.max())
	if err != nil {
		return nil, a, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("source %d: %w", rs.index+1, err))
	}
	lc, err := r.loadArchive(src.RepoURL, src.Chart, a)
	if err != nil {
		return nil, a, fileErr(rs.app.File, rs.app.Line, fmt.Errorf("source %d: %w", rs.index+1, err))
	}
	a.Digest = lc.digest
	rs.repo, rs.path = lc.files, lc.dir
	objs, err := r.renderChart(ctx, lc.files, rs, cloneChart(lc.chart))
	for i := range objs {
		objs[i].Source = rs.index
	}
	return objs, a, err
}

// loadedChart is a chart unpacked from its archive.
type loadedChart struct {
	chart *chart.Chart
	// files holds the archive's files under dir, for value files.
	files fs.FS
	// dir is "NAME@VERSION", the path objects and errors name.
	dir    string
	digest string
}

// loadArchive parses a chart archive once per chart repository, name and
// digest; the chart it returns is shared and must be cloned before use.
func (r *Renderer) loadArchive(repoURL, name string, a ChartArchive) (*loadedChart, error) {
	sum := sha256.Sum256(a.Data)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	if a.Digest != "" && !strings.EqualFold(a.Digest, digest) {
		return nil, fmt.Errorf("chart %s %s from %s: archive digest %s does not match %s", name, a.Version, repoURL, digest, a.Digest)
	}
	dir := name + "@" + firstNonEmpty(a.Version, "unknown")
	if r.Options.DisableChartCache {
		return parseArchive(dir, digest, a.Data)
	}
	key := chartCacheKey{repo: "chart:" + strings.TrimSuffix(strings.ToLower(repoURL), "/") + "\x00" + name, dir: digest}
	v, loaded := r.charts.LoadOrStore(key, &chartCacheEntry{})
	if !loaded && r.chartCount.Add(1) > maxCachedCharts {
		r.charts.Clear()
		r.chartCount.Store(0)
	}
	e := v.(*chartCacheEntry)
	e.once.Do(func() {
		var lc *loadedChart
		if lc, e.err = parseArchive(dir, digest, a.Data); e.err == nil {
			e.chart, e.keep = lc.chart, lc.files
		}
	})
	if e.err != nil {
		return nil, e.err
	}
	return &loadedChart{chart: e.chart, files: e.keep, dir: dir, digest: digest}, nil
}

// parseArchive unpacks a chart archive with Helm's loader.
func parseArchive(dir, digest string, data []byte) (*loadedChart, error) {
	files, err := loader.LoadArchiveFiles(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("chart %s: unpack archive: %w", dir, err)
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("chart %s: load: %w", dir, err)
	}
	tree := fstest.MapFS{}
	for _, f := range files {
		tree[dir+"/"+f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o444}
	}
	return &loadedChart{chart: ch, files: tree, dir: dir, digest: digest}, nil
}

// addDependencies adds to ch every dependency its Chart.yaml declares that
// its charts/ directory does not hold, fetched from the dependency's chart
// repository through Repositories (which must list it), as `helm
// dependency build` would. A dependency with no repository or a file://
// one must be vendored; a repository alias ("@name", "alias:name") names a
// repository by a local name gitwave does not have.
func (r *Renderer) addDependencies(ctx context.Context, rs renderSource, chartDir string, ch *chart.Chart, depth int) error {
	vendored := map[string]bool{}
	for _, d := range ch.Dependencies() {
		vendored[d.Name()] = true
	}
	for _, d := range ch.Metadata.Dependencies {
		if vendored[d.Name] {
			continue
		}
		at := func(err error) error {
			return fileErr(joinRepo(chartDir, "Chart.yaml"), lineOf(chartFile(ch), "name: "+d.Name), err)
		}
		repo := strings.TrimSpace(d.Repository)
		switch {
		case repo == "" || strings.HasPrefix(repo, "file://"):
			return at(fmt.Errorf("chart dependency %s (repository %s) is not in charts/: run `helm dependency build` and commit charts/", d.Name, dashIfNone(repo)))
		case strings.HasPrefix(repo, "@") || strings.HasPrefix(repo, "alias:"):
			return at(fmt.Errorf("chart dependency %s names repository %s, a local Helm repository name: write the repository's URL (listed in helmRepos[])", d.Name, repo))
		case depth >= maxChartDepth:
			return at(fmt.Errorf("chart dependency %s: dependencies nested deeper than %d levels", d.Name, maxChartDepth))
		case rs.reader == nil:
			return at(&UnlistedSourceError{RepoURL: repo, Chart: true})
		}
		a, err := rs.reader.chart(ctx, repo, d.Name, d.Version, rs.budget.max())
		if err != nil {
			return at(fmt.Errorf("chart dependency %s: %w", d.Name, err))
		}
		lc, err := r.loadArchive(repo, d.Name, a)
		if err != nil {
			return at(fmt.Errorf("chart dependency %s: %w", d.Name, err))
		}
		sub := cloneChart(lc.chart)
		if err := r.addDependencies(ctx, rs, joinRepo(chartDir, "charts/"+d.Name), sub, depth+1); err != nil {
			return err
		}
		ch.AddDependency(sub)
	}
	return nil
}
