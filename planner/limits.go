package planner

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Default limits; see Limits.
const (
	DefaultRenderTimeout          = 60 * time.Second
	DefaultMaxAppsPerAppSet       = 1000
	DefaultMaxAppsPerRevision     = 10000
	DefaultMaxObjectsPerApp       = 10000
	DefaultMaxRenderedBytesPerApp = 50 << 20
)

// Limits bound what planning one revision may cost, so that a pull request
// cannot keep gitwave rendering forever or without bound. The operator
// sets them (gitwave.yaml `limits:`, the CLI's --timeout and --max-apps);
// nothing in a repository can. A zero field means its default; a negative
// one is treated as zero.
type Limits struct {
	// RenderTimeout bounds one render of one app, and one expansion of one
	// ApplicationSet (default 60s).
	RenderTimeout time.Duration
	// MaxAppsPerAppSet bounds the Applications one ApplicationSet generates
	// (default 1,000). Generation stops as soon as it is passed.
	MaxAppsPerAppSet int
	// MaxAppsPerRevision bounds the apps one revision produces, every
	// ApplicationSet and app of apps included (default 10,000).
	MaxAppsPerRevision int
	// MaxObjectsPerApp bounds the objects one app renders (default 10,000).
	MaxObjectsPerApp int
	// MaxRenderedBytesPerApp bounds the bytes one app renders: manifests
	// read, templates rendered (default 50 MiB).
	MaxRenderedBytesPerApp int64
}

// WithDefaults returns l with every zero or negative field set to its
// default.
func (l Limits) WithDefaults() Limits {
	if l.RenderTimeout <= 0 {
		l.RenderTimeout = DefaultRenderTimeout
	}
	if l.MaxAppsPerAppSet <= 0 {
		l.MaxAppsPerAppSet = DefaultMaxAppsPerAppSet
	}
	if l.MaxAppsPerRevision <= 0 {
		l.MaxAppsPerRevision = DefaultMaxAppsPerRevision
	}
	if l.MaxObjectsPerApp <= 0 {
		l.MaxObjectsPerApp = DefaultMaxObjectsPerApp
	}
	if l.MaxRenderedBytesPerApp <= 0 {
		l.MaxRenderedBytesPerApp = DefaultMaxRenderedBytesPerApp
	}
	return l
}

// LimitError says that a render or an expansion passed one of the Limits.
// It is terminal: the same revision passes it again.
type LimitError struct {
	// What passed the limit: "render of payment", "ApplicationSet envs".
	What string
	// Limit names the limit as gitwave.yaml does: "renderTimeout",
	// "maxAppsPerApplicationSet", "maxAppsPerRevision", "maxObjectsPerApp",
	// "maxRenderedBytesPerApp".
	Limit string
	// Message says what happened: "exceeded 60s", "generates more than
	// 1000 apps".
	Message string
}

// Error reads like "render of payment exceeded 60s (limits.renderTimeout)".
func (e *LimitError) Error() string {
	return fmt.Sprintf("%s %s (limits.%s)", e.What, e.Message, e.Limit)
}

// IsLimit reports whether err is or wraps a *LimitError.
func IsLimit(err error) bool {
	var le *LimitError
	return errors.As(err, &le)
}

// seconds prints a duration as "60s" rather than "1m0s".
func seconds(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", int64(d/time.Second))
	}
	return d.String()
}

// abandoned counts the renders and expansions given up at their deadline
// whose goroutine has not ended yet.
var abandoned atomic.Int64

// AbandonedRenders returns how many renders and expansions were given up
// at their deadline and still run. Go cannot stop a running template: the
// goroutine runs until the template ends, which gitwave's own template
// functions (ApplicationSets) make prompt once the deadline has passed, but
// a Helm chart's templates may keep one CPU busy for as long as they loop.
func AbandonedRenders() int64 { return abandoned.Load() }

// within runs fn in a goroutine with a context that ends after d, and
// waits for it at most that long. When the deadline passes first, the
// goroutine is abandoned (it keeps running until fn returns, counted by
// AbandonedRenders) and timedOut is true. A canceled parent ctx returns
// ctx's error at once.
func within[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (v T, timedOut bool, err error) {
	cctx, cancel := context.WithTimeout(ctx, d)
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn(cctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		cancel()
		if r.err != nil && ctx.Err() == nil && errors.Is(r.err, context.DeadlineExceeded) && cctx.Err() != nil {
			return v, true, nil
		}
		return r.v, false, r.err
	case <-cctx.Done():
		cancel()
		abandoned.Add(1)
		go func() {
			<-done
			abandoned.Add(-1)
		}()
		if err := ctx.Err(); err != nil {
			return v, false, err
		}
		return v, true, nil
	}
}

// renderBudget counts what one render of one app produced against the
// limits on objects and bytes.
type renderBudget struct {
	app        string
	maxObjects int
	maxBytes   int64
	objects    int
	bytes      int64
}

func newRenderBudget(app string, l Limits) *renderBudget {
	return &renderBudget{app: app, maxObjects: l.MaxObjectsPerApp, maxBytes: l.MaxRenderedBytesPerApp}
}

// addBytes counts n rendered bytes from file; past the limit it returns a
// *RenderError at file holding a *LimitError. A nil budget counts nothing.
func (b *renderBudget) addBytes(n int64, file string) error {
	if b == nil {
		return nil
	}
	if b.bytes += n; b.bytes > b.maxBytes {
		return fileErr(file, 0, &LimitError{What: "render of " + b.app, Limit: "maxRenderedBytesPerApp",
			Message: fmt.Sprintf("produced more than %s", byteSize(b.maxBytes))})
	}
	return nil
}

// addObjects counts n rendered objects from file, as addBytes does bytes.
func (b *renderBudget) addObjects(n int, file string) error {
	if b == nil {
		return nil
	}
	if b.objects += n; b.objects > b.maxObjects {
		return fileErr(file, 0, &LimitError{What: "render of " + b.app, Limit: "maxObjectsPerApp",
			Message: fmt.Sprintf("produced more than %d objects", b.maxObjects)})
	}
	return nil
}

// byteSize prints n in MiB or KiB when it is a whole number of them.
func byteSize(n int64) string {
	switch {
	case n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// max returns the per-app byte limit, which also bounds each chart archive
// a render fetches. A nil budget gives the default.
func (b *renderBudget) max() int64 {
	if b == nil {
		return DefaultMaxRenderedBytesPerApp
	}
	return b.maxBytes
}
