package config

import (
	"strings"
	"testing"
	"time"
)

// TestJobs: jobs.workers and jobs.lease are read; a lease too short to be
// renewed, or negative workers, are refused naming the field.
func TestJobs(t *testing.T) {
	c, err := Load(write(t, "jobs: {workers: 8, lease: 30s}\n"))
	if err != nil || c.Jobs.Workers != 8 || time.Duration(c.Jobs.Lease) != 30*time.Second {
		t.Fatalf("jobs = %+v, %v; want 8 workers, 30s lease", c, err)
	}
	for text, field := range map[string]string{"jobs: {lease: 500ms}\n": "jobs.lease", "jobs: {workers: -1}\n": "jobs.workers"} {
		if _, err := Load(write(t, text)); err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%q: error %v; want one naming %s", text, err, field)
		}
	}
}
