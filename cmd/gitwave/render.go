package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/gitwave/gitwave/planner"
)

func newRenderCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	var cluster string
	cmd := &cobra.Command{
		Use:   "render APP",
		Short: "Print the objects an app deploys to a cluster, in sync order",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := loadWorkspace(cmd.Context(), &f)
			if err != nil {
				return exitWith(2, err)
			}
			defer w.Close()
			apps := w.inv.Select(args[0], cluster)
			if len(apps) == 0 {
				return exitWith(2, fmt.Errorf("no app %q%s in %s at %s", args[0], onCluster(cluster), f.repo, w.src.Revision))
			}
			failed := 0
			for _, a := range apps {
				plan, err := w.planner.Plan(cmd.Context(), w.inv, w.src.Repo, a)
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), "error:", err)
					failed++
					continue
				}
				if err := printPlan(cmd.OutOrStdout(), plan); err != nil {
					return exitWith(2, err)
				}
			}
			if failed > 0 {
				return exitWith(2, fmt.Errorf("%d of %d renders failed", failed, len(apps)))
			}
			return nil
		},
	}
	f.bind(cmd, true)
	f.lim.bind(cmd)
	cmd.Flags().StringVar(&cluster, "cluster", "", "cluster to render for (default: every cluster the app targets)")
	return cmd
}

func onCluster(c string) string {
	if c == "" {
		return ""
	}
	return " on cluster " + c
}

// printPlan writes an app's objects as a YAML stream, each headed by its
// origin, phase and wave. Secret values are masked.
func printPlan(w io.Writer, plan *planner.AppPlan) error {
	fmt.Fprintf(w, "# app %s on cluster %s (%d objects)\n", plan.App.Name, plan.App.Cluster.Name, len(plan.Objects))
	for _, o := range plan.Objects {
		masked := planner.MaskObject(o)
		b, err := yaml.Marshal(masked.Object)
		if err != nil {
			return fmt.Errorf("%s: %w", o.Key, err)
		}
		src := o.File
		if o.Line > 0 {
			src = fmt.Sprintf("%s:%d", o.File, o.Line)
		}
		fmt.Fprintf(w, "---\n# Source: %s\n# Phase: %s, wave %d\n%s", src, o.Phase, o.Wave, b)
	}
	return nil
}
