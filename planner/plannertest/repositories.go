// Package plannertest holds test doubles for the planner's ports: an
// in-memory Repositories with Git trees per URL and revision and chart
// archives packaged in memory.
package plannertest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"

	"github.com/gitwave/gitwave/planner"
)

// Repositories is an in-memory planner.Repositories. The zero value lists
// no repository; it is safe for concurrent use.
type Repositories struct {
	mu     sync.Mutex
	trees  map[string]map[string]tree         // URL key -> revision -> tree
	charts map[string]map[string][]chartEntry // URL key -> chart name -> versions
	down   map[string]error                   // URL key -> error of every call
	calls  map[string]int                     // URL key -> calls made
}

type tree struct {
	fsys fs.FS
	sha  string
}

type chartEntry struct {
	version string
	data    []byte
}

// AddTree lists url with fsys at commit sha, reachable by sha and by each
// of revisions (branch and tag names; "" or "HEAD" for the default branch).
func (r *Repositories) AddTree(url string, fsys fs.FS, sha string, revisions ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.trees == nil {
		r.trees = map[string]map[string]tree{}
	}
	k := key(url)
	if r.trees[k] == nil {
		r.trees[k] = map[string]tree{}
	}
	for _, rev := range append([]string{sha}, revisions...) {
		if rev == "HEAD" {
			rev = ""
		}
		r.trees[k][rev] = tree{fsys: fsys, sha: sha}
	}
}

// AddChart lists the chart repository url with the packaged chart archive
// (see Package) as name at version.
func (r *Repositories) AddChart(url, name, version string, archive []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.charts == nil {
		r.charts = map[string]map[string][]chartEntry{}
	}
	k := key(url)
	if r.charts[k] == nil {
		r.charts[k] = map[string][]chartEntry{}
	}
	r.charts[k][name] = append(r.charts[k][name], chartEntry{version: version, data: archive})
}

// SetDown makes every call for url fail with err, as an unreachable
// repository does; a nil err brings it back.
func (r *Repositories) SetDown(url string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.down == nil {
		r.down = map[string]error{}
	}
	r.down[key(url)] = err
}

// Calls returns how many Tree and Chart calls named url.
func (r *Repositories) Calls(url string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[key(url)]
}

// Tree returns url's tree at targetRevision.
func (r *Repositories) Tree(_ context.Context, url, targetRevision string) (fs.FS, string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := key(url)
	if err := r.called(k); err != nil {
		return nil, "", err
	}
	revs, ok := r.trees[k]
	if !ok {
		return nil, "", &planner.UnlistedSourceError{RepoURL: url}
	}
	rev := strings.TrimSpace(targetRevision)
	if rev == "HEAD" {
		rev = ""
	}
	t, ok := revs[rev]
	if !ok {
		return nil, "", fmt.Errorf("revision %q not found in %s", targetRevision, url)
	}
	return t.fsys, t.sha, nil
}

// Chart returns the highest version of name in url that version (an exact
// version or a semver range) allows.
func (r *Repositories) Chart(_ context.Context, url, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k := key(url)
	if err := r.called(k); err != nil {
		return planner.ChartArchive{}, err
	}
	names, ok := r.charts[k]
	if !ok {
		return planner.ChartArchive{}, &planner.UnlistedSourceError{RepoURL: url, Chart: true}
	}
	e, err := pick(names[name], version)
	if err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart %s in %s: %w", name, url, err)
	}
	if int64(len(e.data)) > maxBytes {
		return planner.ChartArchive{}, fmt.Errorf("chart %s %s is larger than %d bytes", name, e.version, maxBytes)
	}
	sum := sha256.Sum256(e.data)
	return planner.ChartArchive{Data: e.data, Version: e.version, Digest: "sha256:" + hex.EncodeToString(sum[:])}, nil
}

func (r *Repositories) called(k string) error {
	if r.calls == nil {
		r.calls = map[string]int{}
	}
	r.calls[k]++
	return r.down[k]
}

// pick chooses the highest version a constraint allows; "" allows any.
func pick(entries []chartEntry, version string) (chartEntry, error) {
	c, err := semver.NewConstraint(strings.TrimSpace(version))
	if strings.TrimSpace(version) == "" {
		c, err = semver.NewConstraint("*")
	}
	if err != nil {
		return chartEntry{}, fmt.Errorf("version %q: %w", version, err)
	}
	sorted := slices.Clone(entries)
	sort.Slice(sorted, func(i, j int) bool {
		a, _ := semver.NewVersion(sorted[i].version)
		b, _ := semver.NewVersion(sorted[j].version)
		return a != nil && b != nil && a.GreaterThan(b)
	})
	for _, e := range sorted {
		if v, err := semver.NewVersion(e.version); err == nil && c.Check(v) {
			return e, nil
		}
	}
	return chartEntry{}, fmt.Errorf("no version matches %q", version)
}

// key normalizes a URL as repositories are compared: case, a trailing
// slash, a ".git" suffix.
func key(url string) string {
	u := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(url)), "/")
	return strings.TrimSuffix(u, ".git")
}

// Package writes a chart archive (.tgz) as `helm package` lays it out:
// every file under a top-level directory named after the chart. files maps
// paths inside the chart ("Chart.yaml", "templates/cm.yaml") to contents.
func Package(name string, files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		data := []byte(files[n])
		if err := tw.WriteHeader(&tar.Header{Name: name + "/" + n, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			panic(err)
		}
		if _, err := tw.Write(data); err != nil {
			panic(err)
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	if err := gz.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
