package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// statusRow is one app × cluster of `gitwave status -o json`; other tools
// read these names.
type statusRow struct {
	App              string       `json:"app"`
	Cluster          string       `json:"cluster"`
	Project          string       `json:"project"`
	Sync             string       `json:"sync"`
	Health           string       `json:"health"`
	DesiredRevision  string       `json:"desiredRevision"`
	DeployedRevision string       `json:"deployedRevision"`
	LastSync         lastSyncJSON `json:"lastSync"`
	NextRetry        *time.Time   `json:"nextRetry"`
	Attempts         int          `json:"attempts"`
	Message          string       `json:"message,omitempty"`
}

// lastSyncJSON is a status's last sync; times are null when unset.
type lastSyncJSON struct {
	Result     string     `json:"result"`
	StartedAt  *time.Time `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
	Message    string     `json:"message"`
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func rowOf(st store.AppStatus) statusRow {
	return statusRow{App: st.App, Cluster: st.Cluster, Project: st.Project, Sync: st.Sync, Health: st.Health,
		DesiredRevision: st.DesiredRevision, DeployedRevision: st.DeployedRevision,
		LastSync: lastSyncJSON{Result: st.LastSync.Result, StartedAt: timeOrNil(st.LastSync.StartedAt),
			FinishedAt: timeOrNil(st.LastSync.FinishedAt), Message: st.LastSync.Message},
		NextRetry: timeOrNil(st.NextRetry), Attempts: st.Attempts, Message: st.UnknownReason}
}

func newStatusCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	var dataDir, app, cluster, output string
	var refresh bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Sync and health of every app on every cluster, as the reconcile loop last saw them; --refresh reads the clusters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return exitWith(2, fmt.Errorf("unknown output %q: want table or json", output))
			}
			sts, err := readStatuses(cmd.Context(), &f, dataDir, refresh, store.AppStatusFilter{App: app, Cluster: cluster})
			if err != nil {
				return exitWith(2, err)
			}
			if output == "json" {
				return printStatusJSON(cmd.OutOrStdout(), sts)
			}
			return printStatusTable(cmd.OutOrStdout(), sts)
		},
	}
	f.bind(cmd, true)
	fl := cmd.Flags()
	fl.StringVar(&dataDir, "data-dir", "", "where the SQLite state lives (default: gitwave.yaml dataDir, else ./data)")
	fl.StringVar(&app, "app", "", "only this app")
	fl.StringVar(&cluster, "cluster", "", "only this cluster")
	fl.StringVarP(&output, "output", "o", "table", "table or json")
	fl.BoolVar(&refresh, "refresh", false, "read the live clusters (for the apps of --repo) and save what they show, instead of the loop's last pass; syncs nothing")
	return cmd
}

// readStatuses reads the statuses from the store, after refreshing those
// of the repository's apps from the clusters when asked.
func readStatuses(ctx context.Context, f *repoFlags, dataDir string, refresh bool, filter store.AppStatusFilter) ([]store.AppStatus, error) {
	if !refresh {
		var cfg *config.Config
		if f.configFile != "" {
			c, err := config.Load(f.configFile)
			if err != nil {
				return nil, err
			}
			cfg = c
		}
		st, err := openStore(ctx, cfg, dataDir)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		return st.AppStatuses(ctx, filter)
	}
	l, err := loadLive(ctx, f, dataDir)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	l.reconciler.Status = l.store
	filter.Repo = servedRepoName(l, f)
	if _, err := l.reconciler.Converge(ctx, reconcile.Desired{Repo: filter.Repo, Head: l.src, Inv: l.inv, Observe: true}); err != nil {
		return nil, err
	}
	return l.store.AppStatuses(ctx, filter)
}

// servedRepoName is the name statuses of --repo are kept under: the
// served repository of gitwave.yaml whose URL it is, or the only one
// served, or --repo itself.
func servedRepoName(l *live, f *repoFlags) string {
	if l.cfg == nil {
		return f.repo
	}
	for _, r := range l.cfg.Repos {
		if r.URL == f.repo || r.Name == f.repo {
			return r.Name
		}
	}
	if len(l.cfg.Repos) == 1 {
		return l.cfg.Repos[0].Name
	}
	return f.repo
}

func printStatusJSON(w io.Writer, sts []store.AppStatus) error {
	rows := make([]statusRow, 0, len(sts))
	for _, st := range sts {
		rows = append(rows, rowOf(st))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

func printStatusTable(w io.Writer, sts []store.AppStatus) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP\tCLUSTER\tPROJECT\tSYNC\tHEALTH\tDESIRED\tDEPLOYED\tLAST SYNC\tNEXT RETRY\tMESSAGE")
	for _, st := range sts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st.App, st.Cluster, dash(st.Project), st.Sync, st.Health,
			dash(shortRev(st.DesiredRevision)), dash(shortRev(st.DeployedRevision)), st.LastSync.Summary(),
			st.RetrySummary(), dash(st.Reason()))
	}
	return tw.Flush()
}
