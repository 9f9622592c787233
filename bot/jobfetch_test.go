package bot

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestOnceInJobFetchesOncePerJob: the renders of one job, even at once,
// fetch a repository once; the next job (the next loop pass) fetches it
// again, so a commit pushed with no webhook is seen; a failed fetch is
// tried again; a fetch the job made itself (mirrors.fetch) counts.
func TestOnceInJobFetchesOncePerJob(t *testing.T) {
	var fetches atomic.Int64
	fetch := func() error { fetches.Add(1); return nil }

	job := withJobFetches(context.Background())
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := onceInJob(job, "github/org/k8s-apps", fetch); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("8 renders of one job fetched %d times; want 1", n)
	}
	next := withJobFetches(context.Background())
	if err := onceInJob(next, "github/org/k8s-apps", fetch); err != nil || fetches.Load() != 2 {
		t.Errorf("the next job: %v, %d fetches in all; want a fetch of its own (2)", err, fetches.Load())
	}
	if err := onceInJob(context.Background(), "github/org/k8s-apps", fetch); err != nil || fetches.Load() != 3 {
		t.Errorf("outside a job: %v, %d fetches in all; want every call to fetch (3)", err, fetches.Load())
	}

	failing := withJobFetches(context.Background())
	boom := errors.New("host unreachable")
	if err := onceInJob(failing, "github/org/k8s-apps", func() error { return boom }); !errors.Is(err, boom) {
		t.Errorf("a failed fetch: %v; want its error", err)
	}
	if err := onceInJob(failing, "github/org/k8s-apps", fetch); err != nil || fetches.Load() != 4 {
		t.Errorf("after a failed fetch: %v, %d fetches in all; want it tried again (4)", err, fetches.Load())
	}

	own := withJobFetches(context.Background())
	markJobFetched(own, "github/org/k8s-gitops")
	if err := onceInJob(own, "github/org/k8s-gitops", fetch); err != nil || fetches.Load() != 4 {
		t.Errorf("a repository the job fetched itself: %v, %d fetches in all; want none more (4)", err, fetches.Load())
	}
}
