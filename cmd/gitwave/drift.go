package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/reconcile"
)

func newDriftCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	var dataDir string
	var heal bool
	cmd := &cobra.Command{
		Use:   "drift",
		Short: "Compare every app at its deployed revision with its live cluster; --heal syncs back apps with selfHeal",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := loadLive(cmd.Context(), &f, dataDir)
			if err != nil {
				return exitWith(2, err)
			}
			defer l.Close()
			opts := reconcile.DriftOptions{Heal: heal, Sync: reconcile.SyncOptions{Initiator: currentUser(), Progress: progressPrinter(cmd.OutOrStdout())}}
			results := l.reconciler.Drift(cmd.Context(), l.apps, opts)
			drifted, failed := printDrift(cmd.OutOrStdout(), results)
			switch {
			case failed > 0:
				return exitWith(2, fmt.Errorf("%d app(s) could not be checked or healed", failed))
			case drifted > 0 && !heal:
				return exitWith(1, nil)
			}
			return nil
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&dataDir, "data-dir", "", "where the SQLite state lives (default: gitwave.yaml dataDir, else ./data)")
	cmd.Flags().BoolVar(&heal, "heal", false, "sync drifted apps whose policy has selfHeal (and pinned apps) back to their revision")
	return cmd
}

// printDrift prints one block per app and returns how many drifted and
// how many could not be checked or healed.
func printDrift(w io.Writer, results []reconcile.DriftResult) (drifted, failed int) {
	for _, r := range results {
		name := r.App.Name + "@" + r.App.Cluster.Name
		switch {
		case r.Err != nil:
			failed++
			fmt.Fprintf(w, "ERROR    %s: %v\n", name, r.Err)
		case r.Skipped != "":
			fmt.Fprintf(w, "SKIPPED  %s: %s\n", name, r.Skipped)
		case !r.Drifted:
			fmt.Fprintf(w, "IN SYNC  %s at %s\n", name, shortRev(r.Revision))
		default:
			drifted++
			fmt.Fprintf(w, "DRIFTED  %s from %s\n", name, shortRev(r.Revision))
			for _, c := range r.Changes {
				fmt.Fprintf(w, "  %s %s\n%s", c.Action, c.Key, indent(c.Diff))
			}
			switch {
			case r.Heal == nil:
				fmt.Fprintln(w, "  not healed: the app's syncPolicy has no selfHeal")
			case r.Heal.Err != nil:
				failed++
				fmt.Fprintf(w, "  HEAL FAILED: %v\n", r.Heal.Err)
			default:
				fmt.Fprintf(w, "  HEALED: synced back to %s\n", shortRev(r.Revision))
			}
		}
	}
	return drifted, failed
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}
