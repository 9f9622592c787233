package sources

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"helm.sh/helm/v3/pkg/repo"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// remoteChartSource builds the source of one helmRepos[] entry.
func (r *Registry) remoteChartSource(cfg *config.Config, hr config.HelmRepo) (chartSource, error) {
	creds, err := readHelmCredentials(cfg, hr)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", hr.URL, err)
	}
	transport, err := newTransport(cfg.Path(hr.CAFile))
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", hr.URL, err)
	}
	u, err := url.Parse(strings.TrimRight(hr.URL, "/"))
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", hr.URL, err)
	}
	base := chartRepoBase{url: u.String(), key: config.HelmRepoKey(hr.URL), cache: r.cache, ttl: r.indexTTL,
		sem: make(chan struct{}, 1), requests: new(atomic.Int64)}
	if u.Scheme == "oci" {
		return &ociRepo{chartRepoBase: base, creds: creds, transport: transport}, nil
	}
	h := &httpRepo{chartRepoBase: base}
	h.getter = &httpGetter{repoURL: u, creds: creds, client: repoClient(transport), requests: h.count}
	return h, nil
}

// chartRepoBase is what every remote chart repository has: its identity,
// the archive cache, a request counter and the version list kept for ttl.
type chartRepoBase struct {
	url   string
	key   string
	cache *chartCache
	ttl   time.Duration
	// requests counts every network request, for tests and benchmarks.
	requests *atomic.Int64
	// sem serializes index (or tag list) refreshes so that concurrent
	// callers share one.
	sem chan struct{}
}

func (b *chartRepoBase) count() { b.requests.Add(1) }

// acquire takes the refresh semaphore, or fails when ctx ends first.
func (b *chartRepoBase) acquire(ctx context.Context) error {
	select {
	case b.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("chart repository %s: %w", b.url, ctx.Err())
	}
}

func (b *chartRepoBase) release() { <-b.sem }

// httpRepo is a chart repository served over https with an index.yaml.
type httpRepo struct {
	chartRepoBase
	getter *httpGetter

	index   *repo.IndexFile // guarded by sem
	indexAt time.Time       // guarded by sem
}

// chart returns name at version: from the cache for an exact version seen
// before, else through the index.
func (h *httpRepo) chart(ctx context.Context, name, version string, maxBytes int64) (planner.ChartArchive, error) {
	if a, ok := h.cache.lookup(h.key, name, version, maxBytes); ok {
		return a, nil
	}
	idx, err := h.loadIndex(ctx)
	if err != nil {
		return planner.ChartArchive{}, err
	}
	cv, err := findInIndex(idx, h.url, name, version)
	if err != nil {
		return planner.ChartArchive{}, err
	}
	if a, ok := h.cache.lookup(h.key, name, cv.Version, maxBytes); ok {
		return a, nil
	}
	if len(cv.URLs) == 0 {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %s %s has no download URL in index.yaml", h.url, name, cv.Version)
	}
	u, err := h.getter.repoURL.Parse(cv.URLs[0])
	if err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %s %s: bad URL in index.yaml: %w", h.url, name, cv.Version, err)
	}
	if h.getter.repoURL.Path != "" && !strings.Contains(cv.URLs[0], "://") && !strings.HasPrefix(cv.URLs[0], "/") {
		// A relative URL is relative to the repository, not its parent.
		u, err = url.Parse(h.url + "/" + cv.URLs[0])
		if err != nil {
			return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %s %s: bad URL in index.yaml: %w", h.url, name, cv.Version, err)
		}
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %s %s: URL scheme %q in index.yaml is not http(s)", h.url, name, cv.Version, u.Scheme)
	}
	data, err := h.getter.get(ctx, u, maxBytes, filepath.Base(u.Path))
	if err != nil {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %w", h.url, err)
	}
	a := planner.ChartArchive{Data: data, Version: cv.Version, Digest: digestOf(data)}
	if cv.Digest != "" && "sha256:"+strings.TrimPrefix(cv.Digest, "sha256:") != a.Digest {
		return planner.ChartArchive{}, fmt.Errorf("chart repository %s: %s %s: digest %s, but index.yaml says %s", h.url, name, cv.Version, a.Digest, cv.Digest)
	}
	if err := h.cache.store(h.key, name, version, a); err != nil {
		return planner.ChartArchive{}, err
	}
	return a, nil
}

// loadIndex returns the repository's index, downloading it when the copy
// in memory is older than the TTL.
func (h *httpRepo) loadIndex(ctx context.Context) (*repo.IndexFile, error) {
	if err := h.acquire(ctx); err != nil {
		return nil, err
	}
	defer h.release()
	if h.index != nil && time.Since(h.indexAt) < h.ttl {
		return h.index, nil
	}
	start := time.Now()
	u, err := url.Parse(h.url + "/index.yaml")
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", h.url, err)
	}
	data, err := h.getter.get(ctx, u, maxIndexBytes, "index.yaml")
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", h.url, err)
	}
	idx, err := parseIndex(h.cache.repoDir(h.key), data)
	if err != nil {
		return nil, fmt.Errorf("chart repository %s: %w", h.url, err)
	}
	h.index, h.indexAt = idx, start
	return idx, nil
}

// parseIndex parses index.yaml with Helm's loader (which reads a file) and
// sorts it newest first.
func parseIndex(dir string, data []byte) (*repo.IndexFile, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index.yaml: %w", err)
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".index-%d.yaml", time.Now().UnixNano()))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return nil, fmt.Errorf("index.yaml: %w", err)
	}
	defer os.Remove(tmp)
	idx, err := repo.LoadIndexFile(tmp)
	if err != nil {
		return nil, fmt.Errorf("index.yaml: %w", err)
	}
	idx.SortEntries()
	return idx, nil
}

// findInIndex picks name at version from idx.
func findInIndex(idx *repo.IndexFile, repoURL, name, version string) (*repo.ChartVersion, error) {
	versions, ok := idx.Entries[name]
	if !ok {
		return nil, &ChartNotFoundError{RepoURL: repoURL, Chart: name}
	}
	var available []string
	for _, cv := range versions {
		available = append(available, cv.Version)
	}
	picked, ok := pickVersion(available, version)
	if !ok {
		return nil, &VersionNotFoundError{RepoURL: repoURL, Chart: name, Version: version, Nearest: nearestVersions(available, version)}
	}
	for _, cv := range versions {
		if cv.Version == picked {
			return cv, nil
		}
	}
	return nil, &VersionNotFoundError{RepoURL: repoURL, Chart: name, Version: version}
}
