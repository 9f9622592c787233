package config

import (
	"fmt"
	"time"
)

// Jobs configures the workers of the durable job queue (gitwave.yaml
// `jobs:`); zero values keep the bot's defaults (4 workers, 2m lease).
type Jobs struct {
	// Workers is how many jobs one replica runs at once.
	Workers int `json:"workers,omitempty"`
	// Lease is how long a claimed job is held without renewal before
	// another replica takes it over: after a replica dies, its jobs run
	// again elsewhere within one lease. It is renewed every third of it.
	Lease Duration `json:"lease,omitempty"`
}

func (j Jobs) validate() error {
	if j.Workers < 0 {
		return fmt.Errorf("jobs.workers %d: want 0 (default) or more", j.Workers)
	}
	if j.Lease != 0 && j.Lease < Duration(3*time.Second) {
		return fmt.Errorf("jobs.lease %s: want three seconds or more", time.Duration(j.Lease))
	}
	return nil
}
