package bot

import (
	"context"
	"sync"
	"sync/atomic"
)

// jobFetchesKey keys the served repositories one job has fetched in its
// context.
type jobFetchesKey struct{}

// jobFetches are the served repositories one job has fetched: the renders
// of a job fetch each repository they read once, and every job fetches
// again, so a commit that came with no webhook is seen by the next job
// (a loop pass) however soon it runs.
type jobFetches struct {
	mu   sync.Mutex
	byID map[string]*jobFetch
}

// jobFetch is one repository's fetch within a job; mu makes a second
// render wait for the first one's fetch instead of fetching too.
type jobFetch struct {
	mu   sync.Mutex
	done atomic.Bool
}

// withJobFetches gives ctx, the context of one job, its own record of
// fetched repositories.
func withJobFetches(ctx context.Context) context.Context {
	return context.WithValue(ctx, jobFetchesKey{}, &jobFetches{byID: map[string]*jobFetch{}})
}

// entry returns the record of repository key in the job of ctx, nil
// outside a job.
func jobEntry(ctx context.Context, key string) *jobFetch {
	jf, _ := ctx.Value(jobFetchesKey{}).(*jobFetches)
	if jf == nil {
		return nil
	}
	jf.mu.Lock()
	defer jf.mu.Unlock()
	f := jf.byID[key]
	if f == nil {
		f = &jobFetch{}
		jf.byID[key] = f
	}
	return f
}

// markJobFetched records that the job of ctx fetched repository key.
func markJobFetched(ctx context.Context, key string) {
	if f := jobEntry(ctx, key); f != nil {
		f.done.Store(true)
	}
}

// onceInJob runs fetch for repository key unless the job of ctx already
// fetched it; outside a job it always fetches.
func onceInJob(ctx context.Context, key string, fetch func() error) error {
	f := jobEntry(ctx, key)
	if f == nil {
		return fetch()
	}
	if f.done.Load() {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done.Load() {
		return nil
	}
	if err := fetch(); err != nil {
		return err
	}
	f.done.Store(true)
	return nil
}
