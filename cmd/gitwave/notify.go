package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/argoproj/notifications-engine/pkg/services"
	"github.com/spf13/cobra"

	"github.com/gitwave/gitwave/notify"
	"github.com/gitwave/gitwave/planner"
)

func newNotifyCmd(opts options) *cobra.Command {
	cmd := &cobra.Command{Use: "notify", Short: "Argo CD-style notifications"}
	cmd.AddCommand(newNotifyTestCmd(opts))
	return cmd
}

// notifyTestFlags are what `gitwave notify test` takes besides the
// repository flags.
type notifyTestFlags struct {
	cluster, dataDir, sync, health string
	recipients                     []string
}

func newNotifyTestCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	var nf notifyTestFlags
	cmd := &cobra.Command{
		Use:   "test TRIGGER APP",
		Short: "Render the trigger's templates for the app's current status and send them now, as argocd admin notifications template notify",
		Long: "Renders and sends TRIGGER's templates for APP on one cluster to the destinations the app subscribes to " +
			"(or --recipient SERVICE:RECIPIENT), whether or not the condition holds and whether or not it was sent before. " +
			"The status is the last sync in gitwave's history; --sync and --health set the rest.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runNotifyTest(cmd, &f, nf, args[0], args[1])
		},
	}
	f.bind(cmd, true)
	fl := cmd.Flags()
	fl.StringVar(&nf.cluster, "cluster", "", "the cluster (required when the app deploys to several)")
	fl.StringVar(&nf.dataDir, "data-dir", "", "where the SQLite state lives (default: gitwave.yaml dataDir, else ./data)")
	fl.StringVar(&nf.sync, "sync", "Unknown", "status.sync.status: Synced, OutOfSync or Unknown")
	fl.StringVar(&nf.health, "health", "Unknown", "status.health.status: Healthy, Progressing, Degraded, Suspended, Missing or Unknown")
	fl.StringSliceVar(&nf.recipients, "recipient", nil, "SERVICE:RECIPIENT to send to instead of the app's subscriptions (repeatable)")
	return cmd
}

func runNotifyTest(cmd *cobra.Command, f *repoFlags, nf notifyTestFlags, trigger, appName string) error {
	ctx := cmd.Context()
	w, err := loadWorkspace(ctx, f)
	if err != nil {
		return exitWith(2, err)
	}
	defer w.Close()
	if w.cfg == nil || w.cfg.Notifications == nil {
		return exitWith(2, fmt.Errorf("notify test: --config names no gitwave.yaml with notifications"))
	}
	app, err := pickApp(w.apps, appName, nf.cluster)
	if err != nil {
		return exitWith(2, err)
	}
	st, err := appState(ctx, w, app, nf)
	if err != nil {
		return exitWith(2, err)
	}
	cfg, err := notify.FromSettings(w.cfg, w.src.Repo)
	if err != nil {
		return exitWith(2, err)
	}
	e, err := notify.New(cfg, notify.Options{Ledger: noLedger{}, ArgocdURL: w.cfg.Notifications.ArgocdURL})
	if err != nil {
		return exitWith(2, err)
	}
	defer e.Close()
	var to []services.Destination
	for _, r := range nf.recipients {
		svc, rcpt, _ := strings.Cut(r, ":")
		to = append(to, services.Destination{Service: svc, Recipient: rcpt})
	}
	probes, err := e.Test(ctx, trigger, st, to...)
	if err != nil {
		return exitWith(2, err)
	}
	return printProbes(cmd, trigger, probes)
}

func printProbes(cmd *cobra.Command, trigger string, probes []notify.Probe) error {
	failed := 0
	for _, p := range probes {
		result := "sent"
		if p.Err != nil {
			result, failed = "FAILED: "+p.Err.Error(), failed+1
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s[%d] holds=%t -> %s:%s: %s\n%s\n", trigger, p.Condition, p.Holds,
			p.Dest.Service, p.Dest.Recipient, result, p.Message)
	}
	if failed > 0 {
		return exitWith(1, fmt.Errorf("%d of %d notifications failed", failed, len(probes)))
	}
	return nil
}

// pickApp finds the app on one cluster.
func pickApp(apps []*planner.App, name, cluster string) (*planner.App, error) {
	found := planner.SelectApps(apps, name, cluster)
	var clusters []string
	for _, a := range found {
		clusters = append(clusters, a.Cluster.Name)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no app %s%s in the repository", name, onCluster(cluster))
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("app %s deploys to %s: choose one with --cluster", name, strings.Join(clusters, ", "))
}

// appState is the app's status as notifications see it: the manifest, the
// last sync in gitwave's history and the flags.
func appState(ctx context.Context, w *workspace, a *planner.App, nf notifyTestFlags) (notify.AppState, error) {
	var spec map[string]any
	b, err := json.Marshal(a.Spec)
	if err == nil {
		err = json.Unmarshal(b, &spec)
	}
	if err != nil {
		return notify.AppState{}, fmt.Errorf("app %s: spec: %w", a.Name, err)
	}
	st := notify.AppState{
		Repo: w.src.RepoURL, App: a.Name, Cluster: a.Cluster.Name, Server: a.Cluster.Server, Project: a.Project,
		Sync: nf.sync, Health: nf.health, DesiredRevision: w.src.Revision, Spec: spec,
		Metadata: map[string]any{"name": a.Name, "labels": anyMap(a.Labels), "annotations": anyMap(a.Annotations)},
	}
	s, err := openStore(ctx, w.cfg, nf.dataDir)
	if err != nil {
		return st, err
	}
	defer s.Close()
	recs, err := s.History(ctx, a.Name, a.Cluster.Name, 1)
	if err != nil {
		return st, err
	}
	if len(recs) == 1 {
		r := recs[0]
		st.LastSync = &notify.SyncRun{Result: r.Phase, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Message: r.Message, Revision: r.Revision}
		st.DeployedRevision = r.Revision
	}
	return st, nil
}

func anyMap(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// noLedger is the ledger of a test send, which records nothing.
type noLedger struct{}

func (noLedger) ClaimNotification(context.Context, string, string, time.Duration) (bool, error) {
	return true, nil
}
func (noLedger) ConfirmNotification(context.Context, string, string) error { return nil }
func (noLedger) ReleaseNotification(context.Context, string, string) error { return nil }
