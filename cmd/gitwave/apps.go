package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

func newAppsCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	var output string
	cmd := &cobra.Command{
		Use:   "apps",
		Short: "List every app the repository produces, one row per (app, cluster)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := loadWorkspace(cmd.Context(), &f)
			if err != nil {
				return exitWith(2, err)
			}
			defer w.Close()
			if err := printApps(cmd.OutOrStdout(), w.apps, w.src, output); err != nil {
				return exitWith(2, err)
			}
			w.inv.Errors = append(w.inv.Errors, w.unlistedSources(cmd.Context())...)
			return w.reportErrors(cmd.ErrOrStderr())
		},
	}
	f.bind(cmd, true)
	f.bindChanged(cmd)
	f.lim.bind(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table, json or yaml")
	return cmd
}

// appRow is one line of `gitwave apps -o json`; other tools read these
// names.
type appRow struct {
	Name           string     `json:"name"`
	Project        string     `json:"project"`
	Cluster        string     `json:"cluster"`
	Server         string     `json:"server"`
	Namespace      string     `json:"namespace"`
	RepoURL        string     `json:"repoURL"`
	Path           string     `json:"path"`
	TargetRevision string     `json:"targetRevision"`
	Wave           int        `json:"wave"`
	Parent         string     `json:"parent"`
	Automated      *automated `json:"automated"`
}

type automated struct {
	Prune    bool `json:"prune"`
	SelfHeal bool `json:"selfHeal"`
}

func toRow(a *planner.App) appRow {
	r := appRow{Name: a.Name, Project: a.Project, Cluster: a.Cluster.Name, Server: a.Cluster.Server,
		Namespace: a.Namespace, Wave: a.Wave, Parent: a.Parent}
	srcs := a.Spec.AllSources()
	if len(srcs) > 0 {
		paths := make([]string, 0, len(srcs))
		for _, s := range srcs {
			if s.Path != "" {
				paths = append(paths, s.Path)
			} else if s.Chart != "" {
				paths = append(paths, s.Chart)
			}
		}
		r.RepoURL, r.TargetRevision, r.Path = srcs[0].RepoURL, srcs[0].TargetRevision, strings.Join(paths, ",")
	}
	if au := a.Automated(); au != nil {
		r.Automated = &automated{Prune: au.Prune, SelfHeal: au.SelfHeal}
	}
	return r
}

func printApps(w io.Writer, apps []*planner.App, _ planner.Source, output string) error {
	rows := make([]appRow, len(apps))
	for i, a := range apps {
		rows[i] = toRow(a)
	}
	switch output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "yaml":
		b, err := yaml.Marshal(rows)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case "table", "":
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tCLUSTER\tNAMESPACE\tPROJECT\tWAVE\tPATH\tSYNC\tPARENT")
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.Name, r.Cluster, r.Namespace, r.Project, r.Wave, r.Path, syncMode(r.Automated), dash(r.Parent))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown output %q: want table, json or yaml", output)
}

func syncMode(a *automated) string {
	switch {
	case a == nil:
		return "manual"
	case a.Prune && a.SelfHeal:
		return "auto+prune+heal"
	case a.Prune:
		return "auto+prune"
	case a.SelfHeal:
		return "auto+heal"
	}
	return "auto"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// workspace is a repository read at one revision, its apps discovered and,
// with --changed or --base, narrowed to the apps the change touches.
type workspace struct {
	*opened
	planner *planner.Planner
	src     planner.Source
	inv     *planner.Inventory
	apps    []*planner.App
}

func loadWorkspace(ctx context.Context, f *repoFlags) (*workspace, error) {
	o, err := f.open(ctx)
	if err != nil {
		return nil, err
	}
	lim, err := f.lim.limits(o.cfg)
	if err != nil {
		o.Close()
		return nil, err
	}
	keys, err := f.sops.keys(o.cfg)
	if err != nil {
		o.Close()
		return nil, err
	}
	w := &workspace{opened: o, planner: f.opts.newPlanner(lim, keys)}
	if w.src, err = o.source(ctx, f, f.revision); err != nil {
		o.Close()
		return nil, err
	}
	if w.inv, err = w.planner.Discover(ctx, w.src); err != nil {
		o.Close()
		return nil, err
	}
	changed, err := o.changedFiles(ctx, f, f.revision)
	if err != nil {
		o.Close()
		return nil, err
	}
	w.apps = w.inv.Apps
	if changed != nil {
		w.apps = nil
		for _, a := range w.inv.Apps {
			if planner.Touches(planner.Dependencies(w.src, a), changed) {
				w.apps = append(w.apps, a)
			}
		}
	}
	return w, nil
}

// reportErrors prints discovery problems and turns them into exit code 2.
func (w *workspace) reportErrors(stderr io.Writer) error {
	for _, e := range w.inv.Errors {
		fmt.Fprintln(stderr, "error:", e)
	}
	if n := len(w.inv.Errors); n > 0 {
		return exitWith(2, fmt.Errorf("%d problem(s) found", n))
	}
	return nil
}

// unlistedSources returns an error for each Git repository an app names
// that is neither the repository at hand nor listed (--source, repos[]):
// listing apps reads no other repository, but must not report success for
// apps that no render could read.
func (w *workspace) unlistedSources(ctx context.Context) []error {
	seen := map[string]bool{}
	var errs []error
	for _, a := range w.apps {
		for _, s := range a.Spec.AllSources() {
			if s.Chart != "" || s.RepoURL == "" || seen[config.RepoKey(s.RepoURL)] ||
				(w.src.RepoURL != "" && config.RepoKey(s.RepoURL) == config.RepoKey(w.src.RepoURL)) {
				continue
			}
			seen[config.RepoKey(s.RepoURL)] = true
			var unlisted *planner.UnlistedSourceError
			if _, _, err := w.opened.sources.Tree(ctx, s.RepoURL, s.TargetRevision); errors.As(err, &unlisted) {
				errs = append(errs, fmt.Errorf("%s:%d: app %s on cluster %s: %w", a.File, a.Line, a.Name, a.Cluster.Name, err))
			}
		}
	}
	return errs
}
