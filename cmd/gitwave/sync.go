package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/reconcile"
)

func newSyncCmd(built options) *cobra.Command {
	f := repoFlags{opts: built}
	var cluster, dataDir string
	var opts reconcile.SyncOptions
	cmd := &cobra.Command{
		Use:   "sync APP...",
		Short: "Make the clusters match the repository: wave by wave, with hooks, health waits and prune",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			l, err := loadLive(cmd.Context(), &f, dataDir)
			if err != nil {
				return exitWith(2, err)
			}
			defer l.Close()
			var apps = l.inv.Apps[:0:0]
			for _, name := range args {
				found := l.inv.Select(name, cluster)
				if len(found) == 0 {
					return exitWith(2, fmt.Errorf("no app %q%s in %s at %s", name, onCluster(cluster), f.repo, l.src.Revision))
				}
				apps = append(apps, found...)
			}
			opts.Trigger, opts.Initiator = "cli", currentUser()
			opts.Progress = progressPrinter(cmd.OutOrStdout())
			results := l.reconciler.Sync(cmd.Context(), l.src, l.inv, apps, opts)
			if failed := printSyncSummary(cmd.OutOrStdout(), results); failed > 0 {
				return exitWith(1, fmt.Errorf("%d of %d syncs failed", failed, len(results)))
			}
			return nil
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&cluster, "cluster", "", "only this cluster (default: every cluster the app targets)")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "where the SQLite state lives (default: gitwave.yaml dataDir, else ./data)")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "apply with dryRun=All: change nothing")
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "prune objects no longer in Git even when the app's policy does not")
	return cmd
}

// progressPrinter prints sync events one line each, safe for concurrent
// syncs.
func progressPrinter(w io.Writer) func(applier.Event) {
	var mu sync.Mutex
	return func(e applier.Event) {
		mu.Lock()
		defer mu.Unlock()
		prefix := fmt.Sprintf("%s@%s", e.App, e.Cluster)
		switch e.Type {
		case applier.EventStepStarted:
			fmt.Fprintf(w, "%s: %s wave %d\n", prefix, e.Phase, e.Wave)
		case applier.EventObjectApplied, applier.EventPruned, applier.EventHookDone:
			fmt.Fprintf(w, "%s:   %-14s %s %s\n", prefix, e.Action, e.Key, e.Message)
		case applier.EventWaiting:
			fmt.Fprintf(w, "%s:   waiting        %s: %s %s\n", prefix, e.Key, e.Health.Status, e.Health.Message)
		case applier.EventRetry:
			fmt.Fprintf(w, "%s: retry %d: %s\n", prefix, e.Attempt, e.Message)
		case applier.EventSyncDone:
			fmt.Fprintf(w, "%s: %s\n", prefix, e.Message)
		}
	}
}

// printSyncSummary prints one line per app and returns how many failed.
func printSyncSummary(w io.Writer, results []reconcile.AppResult) int {
	failed := 0
	fmt.Fprintln(w, "\nSUMMARY")
	for _, r := range results {
		name := r.App.Name + "@" + r.App.Cluster.Name
		switch {
		case r.Err != nil:
			failed++
			fmt.Fprintf(w, "  FAILED     %s: %v\n", name, r.Err)
		case r.Result == nil:
			fmt.Fprintf(w, "  OK         %s: app of apps, its children sync as apps\n", name)
		default:
			res := r.Result
			fmt.Fprintf(w, "  %-10s %s: %d objects, %d pruned, %s (%s waiting for health)\n", strings.ToUpper(string(res.Phase)), name,
				len(res.Outcomes()), len(res.Pruned), res.Duration.Round(time.Millisecond), res.WaitDuration.Round(time.Millisecond))
		}
	}
	return failed
}
