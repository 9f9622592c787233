package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/planner"
)

func newValidateCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check every app renders and keeps to its AppProject, without a cluster; list every problem with file, line, app and cluster",
		Long: `Check every app renders and keeps to its AppProject, without a cluster.

AppProjects are read from the same revision as the apps. When the
repository defines none, projects are not enforced and validate says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := loadWorkspace(cmd.Context(), &f)
			if err != nil {
				return exitWith(2, err)
			}
			defer w.Close()
			out := cmd.OutOrStdout()
			problems := len(w.inv.Errors)
			limited := false
			for _, e := range w.inv.Errors {
				fmt.Fprintln(out, e)
				limited = limited || planner.IsLimit(e)
			}
			projs, errs := planner.LoadProjects(cmd.Context(), w.src)
			for _, e := range errs {
				fmt.Fprintln(out, e)
			}
			problems += len(errs)
			problems += validateSOPS(cmd.Context(), w, out)
			if !projs.Enforced() {
				fmt.Fprintln(out, "no AppProject is defined: projects are not enforced")
			}
			objects, clusters, appProblems, appLimited := validateApps(cmd.Context(), w, projs, out)
			problems += appProblems
			limited = limited || appLimited
			fmt.Fprintf(out, "%d apps on %d clusters, %d objects, %d problem(s)\n", len(w.apps), clusters, objects, problems)
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

// validateApps plans every app and checks it against its AppProject,
// printing each problem; it returns the objects, the clusters and the
// problems counted, and whether a render stopped at a limit.
func validateApps(ctx context.Context, w *workspace, projs *planner.Projects, out io.Writer) (objects, clusters, problems int, limited bool) {
	seen := map[string]bool{}
	for _, a := range w.apps {
		seen[a.Cluster.Name] = true
		var violations []planner.Violation
		plan, err := w.planner.Plan(ctx, w.inv, w.src.Repo, a)
		if err != nil {
			fmt.Fprintln(out, err)
			problems++
			limited = limited || planner.IsLimit(err)
			violations = projs.CheckApp(a)
		} else {
			objects += len(plan.Objects)
			violations = projs.Check(a, plan.Objects, nil)
		}
		for _, v := range violations {
			fmt.Fprintln(out, v.Where())
		}
		problems += len(violations)
	}
	return objects, len(seen), problems, limited
}
