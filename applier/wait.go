package applier

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/gitwave/gitwave/backoff"
	"github.com/gitwave/gitwave/planner"
)

// pollBackoff spaces the polls of a health or deletion wait: it starts
// fast, since most objects are ready within a second, and backs off to 2 s.
var pollBackoff = backoff.Schedule{First: 200 * time.Millisecond, Factor: 2, Max: 2 * time.Second}

// verifyEvery is how often a health wait reads the objects it waits for
// from the cluster, whatever the watch says, in case the watch broke or
// lags: only an object slower than this costs requests.
const verifyEvery = 5 * time.Second

// waitTarget is one object a step waits for; health is updated in place.
type waitTarget struct {
	key    planner.ResourceKey
	rm     *meta.RESTMapping
	health Health
}

// WaitError says which objects were not healthy when a wait ended.
type WaitError struct {
	// Objects maps each unhealthy object to its last health.
	Objects map[planner.ResourceKey]Health
	// Timeout is the deadline that passed, zero when an object degraded.
	Timeout time.Duration
}

// Error lists the objects and their health messages.
func (e *WaitError) Error() string {
	parts := make([]string, 0, len(e.Objects))
	for k, h := range e.Objects {
		parts = append(parts, fmt.Sprintf("%s is %s: %s", k, h.Status, h.Message))
	}
	slices.Sort(parts)
	msg := strings.Join(parts, "; ")
	if e.Timeout > 0 {
		return fmt.Sprintf("not healthy within %s: %s", e.Timeout, msg)
	}
	return msg
}

// appTimeout returns the health deadline of app's waits: the annotation
// gitwave.dev/sync-timeout, else Options.WaitTimeout.
func (m *Manager) appTimeout(app *planner.App) (time.Duration, error) {
	v, ok := app.Annotations[AnnotationSyncTimeout]
	if !ok {
		return m.opts.WaitTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, Terminal(fmt.Errorf("app %s: annotation %s=%q is not a positive duration", app.Name, AnnotationSyncTimeout, v))
	}
	return d, nil
}

// waitHealthy waits for the targets that are not Healthy until all are,
// one is Degraded, or timeout passes. It reads them from the watch cache,
// waking whenever a watch delivers an event, polls with backoff only the
// kinds it cannot watch, and reads every pending target every
// verifyEvery. A Progressing, Suspended or Missing object at the deadline
// fails the wait with its own message. An error reaching the cluster ends
// the wait at once.
func (m *Manager) waitHealthy(ctx context.Context, targets []*waitTarget, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := pollBackoff.Start(m.opts.Clock)
	timer, verified := poll.Timer(), poll.Now()
	changed := m.cache.changes()
	err := m.pollHealth(ctx, targets, false, false) // the watch may be ahead of the apply responses
	for err == nil {
		pending := make([]*waitTarget, 0, len(targets))
		for _, t := range targets {
			if t.health.Status != Healthy {
				pending = append(pending, t)
			}
		}
		if len(pending) == 0 {
			return nil
		}
		if err := failedTargets(pending, 0); err != nil {
			return err
		}
		read := false
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return failedTargets(pending, timeout)
			}
			return ctx.Err()
		case <-changed:
		case <-timer:
			read, timer = true, poll.Timer()
		}
		changed = m.cache.changes()
		verify := poll.Now().Sub(verified) >= verifyEvery
		if verify {
			verified = poll.Now()
		}
		err = m.pollHealth(ctx, pending, read || verify, verify)
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return failedTargets(pending, timeout)
		}
	}
	return err
}

// failedTargets returns a WaitError for the Degraded targets or, with a
// non-zero timeout, for every target given.
func failedTargets(ts []*waitTarget, timeout time.Duration) error {
	bad := map[planner.ResourceKey]Health{}
	for _, t := range ts {
		if timeout > 0 || t.health.Status == Degraded {
			bad[t.key] = t.health
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &WaitError{Objects: bad, Timeout: timeout}
}

// pollHealth assesses each target as the watch cache holds it. A target
// of a kind that cannot be watched is read from the cluster, in parallel,
// when read is true; with all, every target is.
func (m *Manager) pollHealth(ctx context.Context, ts []*waitTarget, read, all bool) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(m.opts.Concurrency)
	for _, t := range ts {
		if live, ok := m.cachedLive(ctx, t.rm, t.key); ok && !all {
			t.health = Assess(live)
			continue
		}
		if !read {
			continue
		}
		g.Go(func() error {
			live, err := m.getLive(gctx, t.rm, t.key)
			if err != nil {
				return fmt.Errorf("%s: read health: %w", t.key, err)
			}
			t.health = Assess(live)
			return nil
		})
	}
	return g.Wait()
}

// getLive reads an object; a missing object is nil without error.
func (m *Manager) getLive(ctx context.Context, rm *meta.RESTMapping, key planner.ResourceKey) (*unstructured.Unstructured, error) {
	live, err := m.resource(rm, key.Namespace).Get(ctx, key.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	return live, err
}

// waitGone waits until an object no longer exists, polling with backoff.
func (m *Manager) waitGone(ctx context.Context, rm *meta.RESTMapping, key planner.ResourceKey, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	poll := pollBackoff.Start(m.opts.Clock)
	for {
		live, err := m.getLive(ctx, rm, key)
		if err == nil && live == nil {
			return nil
		}
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("%s: wait for deletion: %w", key, err)
		}
		if err := poll.Wait(ctx); err != nil {
			return fmt.Errorf("%s: still present %s after deletion: %w", key, timeout, err)
		}
	}
}
