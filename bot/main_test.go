package bot_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gitwave/gitwave/hack/localcluster"
)

// clusterNames are the example repository's clusters; the shared
// environment runs one local control plane per name.
var clusterNames = []string{"staging", "production-apne2", "production-use1"}

var (
	envOnce sync.Once
	env     *localcluster.Env
	envErr  error
)

// TestMain stops the shared clusters, which the first test needing them
// starts, so that the other tests run without them.
func TestMain(m *testing.M) {
	code := m.Run()
	if env != nil {
		env.Close()
	}
	os.Exit(code)
}

// needEnv returns the shared clusters, starting them on first use.
// Missing binaries fail the test with the command that builds them.
func needEnv(t testing.TB) *localcluster.Env {
	t.Helper()
	bin := localcluster.RequireBinaries(t)
	envOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		env, envErr = localcluster.Start(ctx, localcluster.Options{Names: clusterNames, BinDir: bin})
	})
	if envErr != nil {
		t.Fatalf("start local clusters: %v", envErr)
	}
	return env
}
