package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/store"
)

// terminatePoll is how often `gitwave terminate` looks whether the syncs it
// asked to stop have stopped.
const terminatePoll = 500 * time.Millisecond

func newTerminateCmd() *cobra.Command {
	var cfgFile, dataDir, cluster string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "terminate APP",
		Short: "Stop the app's running sync (on --cluster, else on every cluster), wherever gitwave runs it",
		Long: "Records a request to stop the app's running syncs in gitwave's store. The process running each sync\n" +
			"(gitwave serve on any replica sharing the store, or a gitwave sync) stops it between objects and\n" +
			"records it as Terminated; the reconcile loop does not start it again before a new revision or /sync.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var cfg *config.Config
			if cfgFile != "" {
				c, err := config.Load(cfgFile)
				if err != nil {
					return exitWith(2, err)
				}
				cfg = c
			}
			st, err := openStore(cmd.Context(), cfg, dataDir)
			if err != nil {
				return exitWith(2, err)
			}
			defer st.Close()
			recs, err := st.RequestTerminate(cmd.Context(), args[0], cluster, currentUser())
			if errors.Is(err, store.ErrNotFound) {
				return exitWith(1, fmt.Errorf("no sync of app %s%s is running", args[0], onCluster(cluster)))
			}
			if err != nil {
				return exitWith(2, err)
			}
			w := cmd.OutOrStdout()
			for _, r := range recs {
				fmt.Fprintf(w, "asked sync %d of %s on %s (revision %s, by %s) to stop\n", r.ID, r.App, r.Cluster, shortRev(r.Revision), dash(r.Initiator))
			}
			if wait <= 0 {
				return nil
			}
			return awaitStopped(cmd.Context(), w, st, recs, wait)
		},
	}
	cmd.Flags().StringVar(&cfgFile, "config", "", "gitwave.yaml (for its state settings)")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "where the SQLite state lives (default: gitwave.yaml dataDir, else ./data)")
	cmd.Flags().StringVar(&cluster, "cluster", "", "only this cluster")
	cmd.Flags().DurationVar(&wait, "wait", time.Minute, "how long to wait for the syncs to stop (0: do not wait)")
	return cmd
}

// awaitStopped waits until each sync of recs has left Running, printing
// how it ended; it fails when one is still running after wait.
func awaitStopped(ctx context.Context, w io.Writer, st *store.Store, recs []store.SyncRecord, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for _, r := range recs {
		for {
			now, err := syncRecord(ctx, st, r)
			if err != nil && ctx.Err() == nil {
				return exitWith(2, err)
			}
			if err == nil && now.Phase != store.PhaseRunning {
				fmt.Fprintf(w, "sync %d of %s on %s: %s: %s\n", r.ID, r.App, r.Cluster, now.Phase, now.Message)
				break
			}
			select {
			case <-ctx.Done():
				return exitWith(1, fmt.Errorf("sync %d of %s on %s is still running after %s", r.ID, r.App, r.Cluster, wait))
			case <-time.After(terminatePoll):
			}
		}
	}
	return nil
}

// syncRecord reads r again from the app's recent history.
func syncRecord(ctx context.Context, st *store.Store, r store.SyncRecord) (store.SyncRecord, error) {
	recs, err := st.History(ctx, r.App, r.Cluster, 20)
	if err != nil {
		return store.SyncRecord{}, err
	}
	for _, now := range recs {
		if now.ID == r.ID {
			return now, nil
		}
	}
	return store.SyncRecord{}, fmt.Errorf("sync %d of %s on %s: %w", r.ID, r.App, r.Cluster, store.ErrNotFound)
}
