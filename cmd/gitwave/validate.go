package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/planner"
)

func newValidateCmd() *cobra.Command {
	var f repoFlags
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check every app renders, without a cluster; list every problem with file, line, app and cluster",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := loadWorkspace(cmd.Context(), &f)
			if err != nil {
				return exitWith(2, err)
			}
			defer w.Close()
			problems := len(w.inv.Errors)
			limited := false
			for _, e := range w.inv.Errors {
				fmt.Fprintln(cmd.OutOrStdout(), e)
				limited = limited || planner.IsLimit(e)
			}
			objects := 0
			clusters := map[string]bool{}
			for _, a := range w.apps {
				clusters[a.Cluster.Name] = true
				plan, err := w.planner.Plan(cmd.Context(), w.inv, w.src.Repo, a)
				if err != nil {
					fmt.Fprintln(cmd.OutOrStdout(), err)
					problems++
					limited = limited || planner.IsLimit(err)
					continue
				}
				objects += len(plan.Objects)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d apps on %d clusters, %d objects, %d problem(s)\n", len(w.apps), len(clusters), objects, problems)
			switch {
			case limited:
				// A limit kept gitwave from checking everything: an error.
				return exitWith(2, fmt.Errorf("%d problem(s) found; rendering stopped at a limit", problems))
			case problems > 0:
				return exitWith(1, fmt.Errorf("%d problem(s) found", problems))
			}
			return nil
		},
	}
	f.bind(cmd, true)
	f.bindChanged(cmd)
	f.lim.bind(cmd)
	return cmd
}
