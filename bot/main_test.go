package bot_test

import (
	"os"
	"testing"

	"github.com/gitwave/gitwave/hack/localcluster"
)

// clusterNames are the example repository's clusters; the shared
// environment runs one local control plane per name.
var clusterNames = []string{"staging", "production-apne2", "production-use1"}

// shared are the clusters of this test binary.
var shared = &localcluster.Shared{Names: clusterNames}

// TestMain stops the shared clusters, which the first test needing them
// starts, so that the other tests run without them.
func TestMain(m *testing.M) {
	code := m.Run()
	shared.Close()
	os.Exit(code)
}

// needEnv returns the shared clusters, starting them on first use.
func needEnv(t testing.TB) *localcluster.Env {
	t.Helper()
	return shared.Need(t)
}
