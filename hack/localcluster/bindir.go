package localcluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// KubeVersion is the Kubernetes version hack/kube/build.sh builds; it keys
// the binary cache.
const KubeVersion = "v1.37.2"

// Environment variables that locate the binaries.
const (
	// EnvBin names a directory holding all binaries; it wins over EnvCache.
	EnvBin = "GITWAVE_KUBE_BIN"
	// EnvCache names the cache root build.sh fills (default
	// ~/.cache/gitwave/kube); binaries are in <root>/<KubeVersion>/bin.
	EnvCache = "GITWAVE_KUBE_CACHE"
)

// StagesFileName is the kwok stage file build.sh writes next to the bin dir.
const StagesFileName = "kwok-stages.yaml"

// binaries lists the executables Start needs.
var binaries = components

// BinDir returns where the binaries are expected: $GITWAVE_KUBE_BIN if set,
// else $GITWAVE_KUBE_CACHE/<KubeVersion>/bin, else
// ~/.cache/gitwave/kube/<KubeVersion>/bin. It does not check that they exist.
func BinDir() string {
	if dir := os.Getenv(EnvBin); dir != "" {
		return dir
	}
	root := os.Getenv(EnvCache)
	if root == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			home = os.TempDir()
		}
		root = filepath.Join(home, ".cache", "gitwave", "kube") // as build.sh

	}
	return filepath.Join(root, KubeVersion, "bin")
}

// DefaultStagesFile returns the kwok stage file that belongs to binDir:
// binDir/kwok-stages.yaml if present, else the one build.sh writes next to
// binDir.
func DefaultStagesFile(binDir string) string {
	if p := filepath.Join(binDir, StagesFileName); fileExists(p) {
		return p
	}
	return filepath.Join(filepath.Dir(binDir), StagesFileName)
}

// CheckBinaries returns an error naming every binary or stage file missing
// from binDir, with the command that builds them.
func CheckBinaries(binDir string) error {
	var missing []string
	for _, b := range binaries {
		if st, err := os.Stat(filepath.Join(binDir, b)); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			missing = append(missing, b)
		}
	}
	if !fileExists(DefaultStagesFile(binDir)) {
		missing = append(missing, StagesFileName)
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("local-cluster binaries missing from %s: %s\n"+
		"build them (about 20 min cold, cached afterwards) with:\n\thack/kube/build.sh\n"+
		"or point %s at a directory holding them",
		binDir, strings.Join(missing, ", "), EnvBin)
}

// RequireBinaries returns BinDir() and fails the test — it never skips —
// when a binary is missing, telling how to build them. CI builds them first.
// Under go test -short (make test-unit) it skips the test instead: every
// test that needs local clusters comes through here.
func RequireBinaries(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs local clusters; skipped with -short")
	}
	dir := BinDir()
	if err := CheckBinaries(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
