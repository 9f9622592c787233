package store

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
)

// TestManyWorkersOnTwoStoresDoEveryJobExactlyOnce runs 8 workers over two
// Stores sharing one database (two replicas) against 200 jobs, a third of
// them sharing one of 5 keys.
func TestManyWorkersOnTwoStoresDoEveryJobExactlyOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *testDB) {
		const jobs, workers = 200, 8
		stores := []*Store{db.open(t), db.open(t)}
		var batch []Job
		for i := range jobs {
			j := Job{Kind: "work", Payload: fmt.Appendf(nil, "%d", i)}
			if i%3 == 0 {
				j.Key = fmt.Sprintf("pr:acme/gitops#%d", i%5)
			}
			batch = append(batch, j)
		}
		enqueue(t, stores[0], batch[:jobs/2]...)
		enqueue(t, stores[1], batch[jobs/2:]...)

		var mu sync.Mutex
		done := map[int64]int{}
		running := map[string]bool{}
		ctx, cancel := context.WithTimeout(ctx(t), time.Minute)
		defer cancel()
		g, ctx := errgroup.WithContext(ctx)
		for w := range workers {
			s := stores[w%2]
			g.Go(func() error {
				for {
					mu.Lock()
					finished := len(done) == jobs
					mu.Unlock()
					if finished {
						return nil
					}
					j, err := s.Claim(ctx, fmt.Sprintf("worker-%d", w), time.Minute)
					if err != nil {
						return err
					}
					if j == nil {
						time.Sleep(time.Millisecond)
						continue
					}
					if err := work(&mu, running, done, j); err != nil {
						return err
					}
					if err := s.Complete(ctx, j.ID); err != nil {
						return err
					}
				}
			})
		}
		if err := g.Wait(); err != nil {
			t.Fatal(err)
		}
		for id, n := range done {
			if n != 1 {
				t.Errorf("job %d was done %d times", id, n)
			}
		}
		var notDone int
		if err := stores[0].db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM jobs WHERE state <> 'done'`).Scan(&notDone); err != nil {
			t.Fatal(err)
		}
		if len(done) != jobs || notDone != 0 {
			t.Errorf("%d distinct jobs done and %d not in state done, want %d and 0", len(done), notDone, jobs)
		}
	})
}

// work records job j as running for a moment, failing when another job with
// its key is running.
func work(mu *sync.Mutex, running map[string]bool, done map[int64]int, j *Job) error {
	mu.Lock()
	if j.Key != "" && running[j.Key] {
		mu.Unlock()
		return fmt.Errorf("job %d claimed while another job with key %s runs", j.ID, j.Key)
	}
	running[j.Key] = j.Key != ""
	mu.Unlock()
	time.Sleep(100 * time.Microsecond)
	mu.Lock()
	defer mu.Unlock()
	delete(running, j.Key)
	done[j.ID]++
	return nil
}
