package config

import (
	"fmt"
	"time"

	"github.com/robfig/cron/v3"
)

// DefaultReconcileInterval is how often the reconcile loop runs when
// neither reconcile.interval nor selfHeal.schedule is set.
const DefaultReconcileInterval = 3 * time.Minute

// Reconcile configures the desired-state loop (gitwave.yaml `reconcile:`).
type Reconcile struct {
	// Interval is how often every served repository is reconciled
	// ("3m"); pushes and merges make it run sooner.
	Interval Duration `json:"interval,omitempty"`
}

// applyDefaults sets the interval: reconcile.interval, else the period of
// the older selfHeal.schedule (kept as an alias), else the default.
func (r *Reconcile) applyDefaults(selfHeal SelfHeal) error {
	if r.Interval != 0 {
		return nil
	}
	if selfHeal.Schedule == "" {
		r.Interval = Duration(DefaultReconcileInterval)
		return nil
	}
	sched, err := cron.ParseStandard(selfHeal.Schedule)
	if err != nil {
		return fmt.Errorf("selfHeal.schedule %q: %w", selfHeal.Schedule, err)
	}
	next := sched.Next(time.Now())
	r.Interval = Duration(sched.Next(next).Sub(next))
	return nil
}

func (r *Reconcile) validate() error {
	if r.Interval < Duration(time.Second) {
		return fmt.Errorf("reconcile.interval %s: want one second or more", time.Duration(r.Interval))
	}
	return nil
}
