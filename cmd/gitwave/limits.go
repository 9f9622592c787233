package main

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// limitFlags are --timeout and --max-apps of the commands that render.
type limitFlags struct {
	timeout time.Duration
	maxApps int
	flags   *pflag.FlagSet
}

func (l *limitFlags) bind(cmd *cobra.Command) {
	l.flags = cmd.Flags()
	l.flags.DurationVar(&l.timeout, "timeout", config.DefaultRenderTimeout, "deadline of one render of one app, and of one ApplicationSet expansion (default: gitwave.yaml limits.renderTimeout)")
	l.flags.IntVar(&l.maxApps, "max-apps", config.DefaultMaxAppsPerRevision, "most apps the revision may produce (default: gitwave.yaml limits.maxAppsPerRevision)")
}

// limits returns gitwave.yaml's limits (the defaults without a file), with
// the flags given on the command line on top.
func (l *limitFlags) limits(cfg *config.Config) (planner.Limits, error) {
	c := config.Limits{}
	if cfg != nil {
		c = cfg.Limits
	}
	lim := plannerLimits(c)
	if l.flags != nil && l.flags.Changed("timeout") {
		if l.timeout <= 0 {
			return lim, usageError("--timeout must be more than 0, got %s", l.timeout)
		}
		lim.RenderTimeout = l.timeout
	}
	if l.flags != nil && l.flags.Changed("max-apps") {
		if l.maxApps <= 0 {
			return lim, usageError("--max-apps must be more than 0, got %d", l.maxApps)
		}
		lim.MaxAppsPerRevision = l.maxApps
	}
	return lim, nil
}

// plannerLimits converts gitwave.yaml's limits; zero fields stay zero,
// which the planner reads as its defaults.
func plannerLimits(c config.Limits) planner.Limits {
	return planner.Limits{
		RenderTimeout:          time.Duration(c.RenderTimeout),
		MaxAppsPerAppSet:       c.MaxAppsPerApplicationSet,
		MaxAppsPerRevision:     c.MaxAppsPerRevision,
		MaxObjectsPerApp:       c.MaxObjectsPerApp,
		MaxRenderedBytesPerApp: int64(c.MaxRenderedBytesPerApp),
	}
}
