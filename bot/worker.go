package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/backoff"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/store"
)

// permanentError marks a failure that retrying cannot help (a payload the
// bot cannot read, a repository no longer served). The job completes and
// the failure is logged.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// RunWorkers runs Options.Workers workers, each claiming jobs from the store
// until ctx ends. A job still running when ctx ends is left leased: its
// lease runs out and a worker (of this or another process) runs it again.
func (b *Bot) RunWorkers(ctx context.Context) error {
	var g errgroup.Group
	for i := range b.opts.Workers {
		id := fmt.Sprintf("%s/%d", b.opts.Holder, i)
		g.Go(func() error {
			b.workLoop(ctx, id)
			return nil
		})
	}
	return g.Wait()
}

func (b *Bot) workLoop(ctx context.Context, worker string) {
	for ctx.Err() == nil {
		job, err := b.opts.Store.Claim(ctx, worker, b.opts.Lease)
		if err != nil && ctx.Err() == nil {
			b.log.Error("claim job", "worker", worker, "error", err)
		}
		if job == nil {
			sleep(ctx, b.opts.Poll)
			continue
		}
		b.runJob(ctx, worker, job)
	}
}

// runJob runs one claimed job, renewing its lease, and records how it
// ended.
func (b *Bot) runJob(ctx context.Context, worker string, job *store.Job) {
	start := time.Now()
	log := b.log.With("job", job.ID, "kind", job.Kind, "key", job.Key, "attempt", job.Attempts)
	jctx, cancel := context.WithCancel(withJobFetches(ctx))
	defer cancel()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		b.keepLease(jctx, cancel, job.ID, log)
	}()
	err := b.dispatch(jctx, job, log)
	cancel()
	<-renewed
	if ctx.Err() != nil {
		log.Info("job interrupted; it runs again when its lease runs out", "worker", worker)
		return
	}
	var perm permanentError
	switch {
	case err == nil:
		b.metrics.job(job.Kind, "done", start)
		b.finish(ctx, log, b.opts.Store.Complete(ctx, job.ID))
	case errors.As(err, &perm):
		b.metrics.job(job.Kind, "failed", start)
		log.Error("job failed; not retried", "error", err)
		b.finish(ctx, log, b.opts.Store.Complete(ctx, job.ID))
	default:
		b.metrics.job(job.Kind, "retry", start)
		delay := retryDelay(job.Attempts)
		log.Warn("job failed; retried later", "error", err, "retry_in", delay)
		b.finish(ctx, log, b.opts.Store.Fail(ctx, job.ID, err, delay))
	}
}

func (b *Bot) finish(_ context.Context, log *slog.Logger, err error) {
	if err != nil {
		log.Error("record job outcome", "error", err)
	}
}

// keepLease renews a job's lease every third of it until ctx ends, and
// cancels the job when the lease was lost (another worker took it over).
func (b *Bot) keepLease(ctx context.Context, cancel context.CancelFunc, id int64, log *slog.Logger) {
	t := time.NewTicker(b.opts.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			err := b.opts.Store.ExtendLease(ctx, id, b.opts.Lease)
			if errors.Is(err, store.ErrLeaseLost) {
				log.Warn("job lease lost; stopping", "error", err)
				cancel()
				return
			}
			if err != nil && ctx.Err() == nil {
				log.Warn("extend job lease", "error", err)
			}
		}
	}
}

// retryDelay backs off 5s, 10s, 20s ... up to 5 minutes.
func retryDelay(attempt int) time.Duration {
	return jobBackoff.Delay(max(attempt-1, 0))
}

// jobBackoff is the schedule of retryDelay.
var jobBackoff = backoff.Schedule{First: 5 * time.Second, Factor: 2, Max: 5 * time.Minute}

// dispatch decodes a job and runs the handler of its kind.
func (b *Bot) dispatch(ctx context.Context, job *store.Job, log *slog.Logger) error {
	p, err := decodePayload(job)
	if err != nil {
		return err
	}
	t, err := b.newTask(p, log)
	if err != nil {
		return err
	}
	t.rerun = job.Attempts > 1
	switch EventKind(job.Kind) {
	case EventPullRequest:
		return b.onPullRequest(ctx, t)
	case EventComment:
		return b.onComment(ctx, t)
	case EventMerged, EventPush:
		err := b.onDeploy(ctx, t)
		b.afterDeploy(ctx, t) // every push or merge makes the loop run sooner
		return err
	case EventReconcile:
		return b.onReconcile(ctx, t)
	}
	return permanent(fmt.Errorf("job kind %q is not known", job.Kind))
}

// task is one job's work: the host, the served repository and the event.
type task struct {
	host Host
	repo config.Repo
	ev   Event
	log  *slog.Logger
	// rerun marks a job claimed again after an attempt that failed or
	// whose worker stopped: its syncs continue the Running records that
	// attempt left (reconcile.SyncOptions.Resume).
	rerun bool
	// roots are the roots repositories a merge in a source repository
	// deployed through: their loops run after it too.
	roots []config.Repo
	// revs are the revisions the job discovered, each once.
	revs *jobRevisions
}

func (b *Bot) newTask(p jobPayload, log *slog.Logger) (*task, error) {
	h := b.hosts[p.Host]
	if h == nil {
		return nil, permanent(fmt.Errorf("host %q is no longer configured", p.Host))
	}
	repo, ok := b.repos[repoKey(p.Host, p.Event.Repo)]
	if !ok {
		return nil, permanent(fmt.Errorf("repository %s is no longer served", p.Event.Repo))
	}
	l := log.With("repo", repo.Name, "delivery", p.Delivery)
	if p.Event.PR != nil {
		l = l.With("pr", p.Event.PR.Number)
	}
	return &task{host: h, repo: repo, ev: p.Event, log: l, revs: newJobRevisions()}, nil
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// RunPending runs ready jobs one after the other until none is ready, and
// returns how many ran: the work of RunWorkers without waiting for more,
// for tests and one-shot runs.
func (b *Bot) RunPending(ctx context.Context) (int, error) {
	worker := b.opts.Holder + "/pending"
	n := 0
	for {
		job, err := b.opts.Store.Claim(ctx, worker, b.opts.Lease)
		if err != nil || job == nil {
			return n, err
		}
		b.runJob(ctx, worker, job)
		n++
	}
}
