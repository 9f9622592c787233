package applier

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"

	"github.com/gitwave/gitwave/backoff"
	"github.com/gitwave/gitwave/planner"
)

// Argo CD's retry defaults, used for the parts of an app's retry policy it
// leaves out.
const (
	defaultBackoff     = 5 * time.Second
	defaultFactor      = 2
	defaultMaxDuration = 3 * time.Minute
)

// terminalError marks a failure that retrying cannot fix.
type terminalError struct{ err error }

func (e terminalError) Error() string { return e.err.Error() }
func (e terminalError) Unwrap() error { return e.err }

// Terminal marks err as one that retrying cannot fix (a bad manifest, a
// denied request).
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return terminalError{err: err}
}

// IsTerminal reports whether retrying err cannot help: an error marked with
// Terminal, or an API answer that the request itself is wrong or not
// allowed (HTTP 400, 401, 403, 422).
func IsTerminal(err error) bool {
	var t terminalError
	if errors.As(err, &t) {
		return true
	}
	return apierrors.IsBadRequest(err) || apierrors.IsInvalid(err) ||
		apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) || isSchemaError(err)
}

// isSchemaError reports a server-side apply that the API server refuses
// because the object does not fit the kind's schema (a field that does not
// exist). The server answers 500 for it, but sending it again cannot help.
func isSchemaError(err error) bool {
	if !apierrors.IsInternalError(err) {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "failed to create typed patch object") || strings.Contains(msg, "field not declared in schema")
}

// RetryPolicy is an app's retry policy in usable form.
type RetryPolicy struct {
	// Limit is how many times a failed sync is retried; negative retries
	// until the context ends, zero never.
	Limit int64
	// Backoff is the delay before the first retry.
	Backoff time.Duration
	// Factor multiplies the delay after each retry.
	Factor int64
	// MaxDuration caps the delay.
	MaxDuration time.Duration
}

// RetryPolicyOf reads an app's spec.syncPolicy.retry, filling what it
// leaves out with Argo CD's defaults (5s, factor 2, at most 3m). An app
// without one gets Limit 0. A duration that does not parse is an error
// naming the app.
func RetryPolicyOf(app *planner.App) (RetryPolicy, error) {
	p := RetryPolicy{Backoff: defaultBackoff, Factor: defaultFactor, MaxDuration: defaultMaxDuration}
	if app.Spec.SyncPolicy == nil || app.Spec.SyncPolicy.Retry == nil {
		return p, nil
	}
	r := app.Spec.SyncPolicy.Retry
	p.Limit = r.Limit
	if b := r.Backoff; b != nil {
		var err error
		if b.Duration != "" {
			if p.Backoff, err = parseBackoff(b.Duration); err != nil {
				return p, fmt.Errorf("app %s: syncPolicy.retry.backoff.duration %q: %w", app.Name, b.Duration, err)
			}
		}
		if b.MaxDuration != "" {
			if p.MaxDuration, err = parseBackoff(b.MaxDuration); err != nil {
				return p, fmt.Errorf("app %s: syncPolicy.retry.backoff.maxDuration %q: %w", app.Name, b.MaxDuration, err)
			}
		}
		if b.Factor != nil && *b.Factor > 0 {
			p.Factor = *b.Factor
		}
	}
	return p, nil
}

// parseBackoff reads a Go duration, or a bare number of seconds as Argo CD
// accepts.
func parseBackoff(s string) (time.Duration, error) {
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err == nil && fmt.Sprint(n) == s {
		return time.Duration(n) * time.Second, nil
	}
	return 0, errors.New("not a duration")
}

// Delay returns the wait before retry number n (0 for the first retry):
// Backoff × Factorⁿ, capped at MaxDuration.
func (p RetryPolicy) Delay(n int) time.Duration {
	return backoff.Schedule{First: p.Backoff, Factor: float64(p.Factor), Max: p.MaxDuration}.Delay(n)
}

// allows reports whether a retry may follow attempt number n (0-based) that
// failed with err.
func (p RetryPolicy) allows(n int, err error) bool {
	if err == nil || IsTerminal(err) {
		return false
	}
	return p.Limit < 0 || int64(n) < p.Limit
}

// sleep waits d on clock, or until ctx ends.
func sleep(ctx context.Context, clock Clock, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-clock.After(d):
		return nil
	}
}
