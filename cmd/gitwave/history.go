package main

import (
	"fmt"
	"os/user"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newHistoryCmd() *cobra.Command {
	var cfgFile, dataDir, cluster string
	var limit int
	cmd := &cobra.Command{
		Use:   "history APP",
		Short: "The app's last syncs, newest first, as argocd app history shows them",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f := repoFlags{configFile: cfgFile}
			o, err := f.open(cmd.Context())
			if err != nil {
				return exitWith(2, err)
			}
			defer o.Close()
			st, err := openStore(cmd.Context(), o.cfg, dataDir)
			if err != nil {
				return exitWith(2, err)
			}
			defer st.Close()
			recs, err := st.History(cmd.Context(), args[0], cluster, limit)
			if err != nil {
				return exitWith(2, err)
			}
			pins, err := st.Pins(cmd.Context(), args[0])
			if err != nil {
				return exitWith(2, err)
			}
			w := cmd.OutOrStdout()
			for _, p := range pins {
				fmt.Fprintf(w, "PINNED on %s to %s by %s (%s) until Git catches up\n", dash(p.Cluster), shortRev(p.Revision), p.By, p.Reason)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tCLUSTER\tREVISION\tSTARTED\tDURATION\tPHASE\tTRIGGER\tBY\tMESSAGE")
			for _, r := range recs {
				dur := "-"
				if !r.FinishedAt.IsZero() {
					dur = r.FinishedAt.Sub(r.StartedAt).Round(time.Millisecond).String()
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Cluster, r.WithSources(shortRev(r.Revision)),
					r.StartedAt.UTC().Format(time.RFC3339), dur, r.Phase, r.Trigger, dash(r.Initiator), r.Message)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&cfgFile, "config", "", "gitwave.yaml (for its state settings)")
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "where the SQLite state lives (default: gitwave.yaml dataDir, else ./data)")
	cmd.Flags().StringVar(&cluster, "cluster", "", "only this cluster")
	cmd.Flags().IntVar(&limit, "limit", 20, "how many syncs to show")
	return cmd
}

// currentUser names who runs a CLI sync, for the history.
func currentUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "cli"
}
