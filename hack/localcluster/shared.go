package localcluster

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Shared is one set of clusters for a whole test binary: the first test
// that needs them starts them, later tests reuse them, and TestMain closes
// them. Unit tests in the same binary run without clusters.
type Shared struct {
	// Names are the clusters to start.
	Names []string

	once sync.Once
	env  *Env
	err  error
}

// Need returns the clusters, starting them on first use. Missing binaries
// or a failed start fail the test, with the command that builds them.
func (s *Shared) Need(t testing.TB) *Env {
	t.Helper()
	bin := RequireBinaries(t)
	s.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		s.env, s.err = Start(ctx, Options{Names: s.Names, BinDir: bin})
	})
	if s.err != nil {
		t.Fatalf("start local clusters: %v", s.err)
	}
	return s.env
}

// Close stops the clusters if they were started.
func (s *Shared) Close() {
	if s.env != nil {
		s.env.Close()
	}
}
