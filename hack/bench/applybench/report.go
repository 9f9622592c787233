package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// printFigures writes the medians and ratios as KEY=VALUE lines, seconds
// with millisecond precision, and a readable summary to standard error.
func printFigures(w io.Writer, o Options, sync, diff *comparison) {
	syncRatio := ratio(sync)
	diffRatio := ratio(diff)
	lines := []struct {
		key   string
		value any
	}{
		{"RUNS", o.Runs},
		{"OBJECTS", o.Objects},
		{"WAVES", waveCount},
		{"SYNC_GITWAVE_S", seconds(median(sync.gitwave.total))},
		{"SYNC_GITWAVE_WAIT_S", seconds(median(sync.gitwave.wait))},
		{"SYNC_GITWAVE_REQUESTS", median(sync.gitwave.requests)},
		{"SYNC_KUBECTL_S", seconds(median(sync.kubectl.total))},
		{"SYNC_KUBECTL_WAIT_S", seconds(median(sync.kubectl.wait))},
		{"SYNC_KUBECTL_REQUESTS", median(sync.kubectl.requests)},
		{"SYNC_RATIO", fmt.Sprintf("%.3f", syncRatio)},
		{"DIFF_CHANGED", diff.changed},
		{"DIFF_GITWAVE_S", seconds(median(diff.gitwave.total))},
		{"DIFF_GITWAVE_REQUESTS", median(diff.gitwave.requests)},
		{"DIFF_KUBECTL_S", seconds(median(diff.kubectl.total))},
		{"DIFF_KUBECTL_REQUESTS", median(diff.kubectl.requests)},
		{"DIFF_RATIO", fmt.Sprintf("%.3f", diffRatio)},
	}
	for _, l := range lines {
		fmt.Fprintf(w, "%s=%v\n", l.key, l.value)
	}
	logf("sync %d objects in %d waves: gitwave %s s (%d requests), kubectl %s s (%d requests), ratio %.2f (goal <= 0.5)",
		o.Objects, waveCount, seconds(median(sync.gitwave.total)), median(sync.gitwave.requests),
		seconds(median(sync.kubectl.total)), median(sync.kubectl.requests), syncRatio)
	logf("live diff of %d objects, %d changed: gitwave %s s (%d requests), kubectl %s s (%d requests), ratio %.2f (goal <= 0.5)",
		o.Objects, diff.changed, seconds(median(diff.gitwave.total)), median(diff.gitwave.requests),
		seconds(median(diff.kubectl.total)), median(diff.kubectl.requests), diffRatio)
}

// ratio is gitwave's median time over kubectl's.
func ratio(c *comparison) float64 {
	return median(c.gitwave.total).Seconds() / median(c.kubectl.total).Seconds()
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// median returns the middle value, or the mean of the two middle ones.
func median[T time.Duration | int64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
