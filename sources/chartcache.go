package sources

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/gitwave/gitwave/planner"
)

// chartCache keeps chart archives on disk by repository, chart name and
// digest, with a version → digest record per (repository, name, version)
// both on disk and in memory: an exact version fetched once is read again
// without the network.
type chartCache struct {
	dir string

	mu      sync.Mutex
	digests map[string]string // repoKey \x00 name \x00 version -> "sha256:hex"
}

func newChartCache(dir string) *chartCache {
	return &chartCache{dir: dir, digests: map[string]string{}}
}

// chartName is what a chart name may be: one path segment.
var chartName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// checkChartName refuses a name that is not one plain path segment.
func checkChartName(name string) error {
	if !chartName.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("not a chart name")
	}
	return nil
}

// exactVersion matches a complete semantic version, the only kind of
// version a cache record answers without the repository's index.
var exactVersion = regexp.MustCompile(`^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// isExact reports whether version names one version rather than a range.
func isExact(version string) bool { return exactVersion.MatchString(version) }

// repoDir is the directory of one repository's charts.
func (c *chartCache) repoDir(repoKey string) string {
	sum := sha256.Sum256([]byte(repoKey))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:10]))
}

// versionFile is the on-disk version → digest record.
func (c *chartCache) versionFile(repoKey, name, version string) string {
	return filepath.Join(c.repoDir(repoKey), name, "versions", version)
}

// archiveFile is where the archive with digest lives.
func (c *chartCache) archiveFile(repoKey, name, digest string) string {
	return filepath.Join(c.repoDir(repoKey), name, strings.TrimPrefix(digest, "sha256:")+".tgz")
}

// lookup returns the cached archive of an exact version, if any. An archive
// whose content no longer matches its digest is treated as missing.
func (c *chartCache) lookup(repoKey, name, version string, maxBytes int64) (planner.ChartArchive, bool) {
	if !isExact(version) {
		return planner.ChartArchive{}, false
	}
	key := repoKey + "\x00" + name + "\x00" + version
	c.mu.Lock()
	digest, ok := c.digests[key]
	c.mu.Unlock()
	if !ok {
		b, err := os.ReadFile(c.versionFile(repoKey, name, version))
		if err != nil {
			return planner.ChartArchive{}, false
		}
		digest = strings.TrimSpace(string(b))
	}
	data, err := os.ReadFile(c.archiveFile(repoKey, name, digest))
	if err != nil || int64(len(data)) > maxBytes || digestOf(data) != digest {
		return planner.ChartArchive{}, false
	}
	resolved := version
	if b, err := os.ReadFile(c.versionFile(repoKey, name, version) + ".resolved"); err == nil {
		resolved = strings.TrimSpace(string(b))
	}
	c.mu.Lock()
	c.digests[key] = digest
	c.mu.Unlock()
	return planner.ChartArchive{Data: data, Version: resolved, Digest: digest}, true
}

// store writes the archive and records it under the resolved version and,
// when it differs and is exact too, the requested one ("1.2.3" answered by
// "v1.2.3").
func (c *chartCache) store(repoKey, name, requested string, a planner.ChartArchive) error {
	file := c.archiveFile(repoKey, name, a.Digest)
	if err := os.MkdirAll(filepath.Join(filepath.Dir(file), "versions"), 0o755); err != nil {
		return fmt.Errorf("cache chart %s: %w", name, err)
	}
	if err := writeAtomic(file, a.Data); err != nil {
		return fmt.Errorf("cache chart %s: %w", name, err)
	}
	for _, v := range []string{a.Version, requested} {
		if !isExact(v) {
			continue
		}
		vf := c.versionFile(repoKey, name, v)
		if err := writeAtomic(vf, []byte(a.Digest+"\n")); err != nil {
			return fmt.Errorf("cache chart %s: %w", name, err)
		}
		if err := writeAtomic(vf+".resolved", []byte(a.Version+"\n")); err != nil {
			return fmt.Errorf("cache chart %s: %w", name, err)
		}
		c.mu.Lock()
		c.digests[repoKey+"\x00"+name+"\x00"+v] = a.Digest
		c.mu.Unlock()
	}
	return nil
}

// writeAtomic writes data to a temporary file renamed over path, so that a
// reader never sees half a file.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// digestOf returns "sha256:<hex>" of data.
func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}
