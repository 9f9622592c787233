package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

type diffFlags struct {
	repoFlags
	head     string
	output   string
	exitCode bool
	apps     []string
	clusters []string
	limit    int
	live     bool
	dataDir  string
}

func newDiffCmd(opts options) *cobra.Command {
	f := diffFlags{repoFlags: repoFlags{opts: opts}}
	cmd := &cobra.Command{
		Use:   "diff --base REV [--head REV] | diff --changed URL --base REV --head REV",
		Short: "Show what a change between two revisions does, per app and cluster",
		Long: "Renders every app the change touches at both revisions and diffs them. " +
			"Without --head, a local directory's working tree is compared with --base, as `git diff BASE` does.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case f.changedRepoURL() != "" && f.base != "":
				return runSourceDiff(cmd, &f, f.changedRepoURL())
			case f.live && f.base == "":
				return runLiveDiff(cmd, &f)
			case f.base == "":
				return exitWith(2, fmt.Errorf("--base is required (or --live)"))
			}
			return runDiff(cmd, &f)
		},
	}
	f.bind(cmd, false)
	f.lim.bind(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.base, "base", "", "base revision (required)")
	fl.StringVar(&f.head, "head", "", "head revision (default: the working tree of a local directory, HEAD of a URL)")
	fl.StringSliceVar(&f.changed, "changed", nil, "narrow to apps these files touch (default: the files changed between base and head); or one repository URL: diff --base..--head of that source repository (see --source) against the apps of --repo that read it")
	fl.StringVar(&f.revision, "revision", "", "with --changed URL: the revision of --repo whose apps are diffed (default: HEAD, or the working tree of a local directory that is no Git repository)")
	fl.StringVarP(&f.output, "output", "o", "text", "text, markdown or json")
	fl.BoolVar(&f.exitCode, "exit-code", false, "exit 1 when there are differences (2 on error), as git diff does")
	fl.StringSliceVar(&f.apps, "app", nil, "only these apps")
	fl.StringSliceVar(&f.clusters, "cluster", nil, "only these clusters")
	fl.IntVar(&f.limit, "comment-limit", markdown.GitHubLimit, "with -o markdown, the most characters per comment; comments are separated by a line '<!-- gitwave:split -->'")
	fl.BoolVar(&f.live, "live", false, "diff against the live clusters (server-side dry-run); without --base, every app at --head")
	fl.StringVar(&f.dataDir, "data-dir", "", "with --live, where the SQLite state lives (for the inventory of pruned objects)")
	return cmd
}

func runDiff(cmd *cobra.Command, f *diffFlags) error {
	ctx := cmd.Context()
	o, err := f.open(ctx)
	if err != nil {
		return exitWith(2, err)
	}
	defer o.Close()
	if o.git == nil {
		return exitWith(2, fmt.Errorf("%s is not a Git repository: diff needs revisions", f.repo))
	}
	head, err := o.source(ctx, &f.repoFlags, f.head)
	if err != nil {
		return exitWith(2, err)
	}
	baseRev := f.base
	if head.Revision != "working tree" {
		// Like a pull request, compare with where the head forked off.
		if baseRev, err = o.git.MergeBase(ctx, f.base, head.Revision); err != nil {
			return exitWith(2, err)
		}
	}
	base, err := o.source(ctx, &f.repoFlags, baseRev)
	if err != nil {
		return exitWith(2, err)
	}
	changed := f.changed
	if changed == nil && head.Revision != "working tree" {
		if changed, err = o.git.ChangedFiles(ctx, base.Revision, head.Revision); err != nil {
			return exitWith(2, err)
		}
	}
	lim, err := f.lim.limits(o.cfg)
	if err != nil {
		return err
	}
	keys, err := f.sops.keys(o.cfg)
	if err != nil {
		return exitWith(2, err)
	}
	p := f.opts.newPlanner(lim, keys)
	rep, err := p.DiffRevisions(ctx, base, head, planner.DiffOptions{Changed: changed, Apps: f.apps, Clusters: f.clusters})
	if err != nil {
		return exitWith(2, err)
	}
	if f.live {
		// The report holds both revisions, discovered and rendered once:
		// the live diff reads them, and nothing is discovered again.
		l, err := attachLive(ctx, &workspace{opened: o, planner: p}, &f.repoFlags, f.dataDir)
		if err != nil {
			return exitWith(2, err)
		}
		defer l.closeClusters()
		l.reconciler.LiveDiff(ctx, rep, reconcile.LiveDiffOptions{})
	}
	return finishDiff(cmd, rep, f)
}

// runLiveDiff diffs every app at --head against its live cluster.
func runLiveDiff(cmd *cobra.Command, f *diffFlags) error {
	f.revision = f.head
	l, err := loadLive(cmd.Context(), &f.repoFlags, f.dataDir)
	if err != nil {
		return exitWith(2, err)
	}
	defer l.Close()
	var apps []*planner.App
	for _, a := range l.apps {
		if (len(f.apps) == 0 || slices.Contains(f.apps, a.Name)) && (len(f.clusters) == 0 || slices.Contains(f.clusters, a.Cluster.Name)) {
			apps = append(apps, a)
		}
	}
	rep := l.reconciler.LiveReport(cmd.Context(), l.planner.NewRevision(l.src, l.inv), apps)
	return finishDiff(cmd, rep, f)
}

// finishDiff writes the report and turns it into the exit code.
func finishDiff(cmd *cobra.Command, rep *planner.Report, f *diffFlags) error {
	if err := writeReport(cmd.OutOrStdout(), rep, f); err != nil {
		return exitWith(2, err)
	}
	switch {
	case rep.HasErrors():
		return exitWith(2, fmt.Errorf("some apps failed to render"))
	case f.exitCode && rep.HasChanges():
		return exitWith(1, nil)
	}
	return nil
}

func writeReport(w io.Writer, rep *planner.Report, f *diffFlags) error {
	switch f.output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(toJSONReport(rep))
	case "markdown", "md":
		parts := markdown.Diff(rep, markdown.DiffOptions{Limit: f.limit, Command: "gitwave diff --base " + shortRev(rep.Base) + " --head " + shortRev(rep.Head)})
		_, err := io.WriteString(w, strings.Join(parts, "\n<!-- gitwave:split -->\n"))
		return err
	case "text", "":
		writeText(w, rep)
		return nil
	}
	return fmt.Errorf("unknown output %q: want text, markdown or json", f.output)
}

func shortRev(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// jsonReport is `gitwave diff -o json`; other tools read these names.
type jsonReport struct {
	Base string    `json:"base"`
	Head string    `json:"head"`
	Apps []jsonApp `json:"apps"`
	// Sources are the other repositories and charts read, at the
	// revisions they resolved to.
	Sources []planner.SourceRevision `json:"sources,omitempty"`
	Errors  []string                 `json:"errors,omitempty"`
}

type jsonApp struct {
	App     string       `json:"app"`
	Cluster string       `json:"cluster"`
	Status  string       `json:"status"`
	Error   string       `json:"error,omitempty"`
	Note    string       `json:"note,omitempty"`
	Objects []jsonObject `json:"objects"`
}

type jsonObject struct {
	Group     string `json:"group"`
	Version   string `json:"version"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Change    string `json:"change"`
	Phase     string `json:"phase"`
	Wave      int    `json:"wave"`
	Diff      string `json:"diff"`
}

func toJSONReport(rep *planner.Report) jsonReport {
	out := jsonReport{Base: rep.Base, Head: rep.Head, Apps: []jsonApp{}, Sources: rep.Sources, Errors: rep.Errors}
	for _, d := range rep.Apps {
		ja := jsonApp{App: d.App.App, Cluster: d.App.Cluster, Status: string(d.Status), Error: d.Error, Note: d.Note, Objects: []jsonObject{}}
		for _, c := range d.Changes {
			if c.Action == planner.ActionUnchanged {
				continue
			}
			ja.Objects = append(ja.Objects, jsonObject{Group: c.Key.Group, Version: c.Version, Kind: c.Key.Kind,
				Namespace: c.Key.Namespace, Name: c.Key.Name, Change: string(c.Action), Phase: string(c.Phase), Wave: c.Wave, Diff: c.Diff})
		}
		out.Apps = append(out.Apps, ja)
	}
	return out
}

func writeText(w io.Writer, rep *planner.Report) {
	fmt.Fprintf(w, "base %s, head %s\n", rep.Base, rep.Head)
	if line := rep.SourcesLine(); line != "" {
		fmt.Fprintln(w, line)
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(w, "error:", e)
	}
	unchanged := 0
	for i := range rep.Apps {
		d := &rep.Apps[i]
		if d.Status == planner.AppUnchanged {
			unchanged++
			continue
		}
		a, c, r := d.Counts()
		fmt.Fprintf(w, "\n=== %s on %s: %s (+%d ~%d -%d)\n", d.App.App, d.App.Cluster, d.Status, a, c, r)
		if d.Error != "" {
			fmt.Fprintln(w, "error:", d.Error)
		}
		if d.Note != "" {
			fmt.Fprintln(w, "note:", d.Note)
		}
		for _, ch := range d.Changes {
			if ch.Action == planner.ActionUnchanged {
				continue
			}
			fmt.Fprintf(w, "--- %s %s (%s, wave %d)\n%s", ch.Action, ch.Key, ch.Phase, ch.Wave, ch.Diff)
		}
	}
	switch {
	case unchanged == len(rep.Apps):
		fmt.Fprintln(w, "no app is affected")
	case unchanged > 0:
		fmt.Fprintf(w, "\n%d other app(s) rendered unchanged\n", unchanged)
	}
}
