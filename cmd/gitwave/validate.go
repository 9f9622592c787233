package main

import (
	"fmt"

	"github.com/spf13/cobra"
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
			for _, e := range w.inv.Errors {
				fmt.Fprintln(cmd.OutOrStdout(), e)
			}
			objects := 0
			clusters := map[string]bool{}
			for _, a := range w.apps {
				clusters[a.Cluster.Name] = true
				plan, err := w.planner.Plan(cmd.Context(), w.inv, w.src.Repo, a)
				if err != nil {
					fmt.Fprintln(cmd.OutOrStdout(), err)
					problems++
					continue
				}
				objects += len(plan.Objects)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d apps on %d clusters, %d objects, %d problem(s)\n", len(w.apps), len(clusters), objects, problems)
			if problems > 0 {
				return exitWith(1, fmt.Errorf("%d problem(s) found", problems))
			}
			return nil
		},
	}
	f.bind(cmd, true)
	f.bindChanged(cmd)
	return cmd
}
