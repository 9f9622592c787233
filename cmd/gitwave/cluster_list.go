package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/discovery"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/planner"
)

// probeTimeout bounds the version request to one cluster in `cluster list`.
const probeTimeout = 5 * time.Second

func newClusterListCmd(opts options) *cobra.Command {
	f := repoFlags{opts: opts}
	cmd := &cobra.Command{
		Use:   "list [--config gitwave.yaml] [--kubeconfig F] [--repo R]",
		Short: "List every cluster with its reachability, server version, labels and the number of apps deployed to it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runClusterList(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), &f); err != nil {
				return exitWith(2, err)
			}
			return nil
		},
	}
	f.bind(cmd, true)
	f.lim.bind(cmd)
	return cmd
}

// clusterRow is one line of `gitwave cluster list`.
type clusterRow struct {
	name, server, version, labels, apps string
	reachable                           bool
}

func runClusterList(ctx context.Context, out, stderr io.Writer, f *repoFlags) error {
	w, err := loadWorkspace(ctx, f)
	if err != nil {
		return err
	}
	defer w.Close()
	ccs, pcs, err := clusterConfigs(w.cfg, f.kubeconfig)
	if err != nil {
		return err
	}
	hub, err := hubClusters(ctx, w.cfg)
	if err != nil {
		fmt.Fprintln(stderr, "warning:", err)
	}
	for _, h := range hub {
		if !slices.ContainsFunc(ccs, func(c applier.ClusterConfig) bool { return c.Name == h.config.Name }) {
			ccs, pcs = append(ccs, h.config), append(pcs, h.cluster)
		}
	}
	counts := map[string]int{}
	for _, a := range w.inv.Apps {
		counts[a.Cluster.Name]++
	}
	labels := map[string]map[string]string{}
	for _, c := range w.src.Clusters {
		labels[c.Name] = c.Labels
	}
	rows := make([]clusterRow, len(ccs))
	var g errgroup.Group
	g.SetLimit(8)
	for i, cc := range ccs {
		rows[i] = clusterRow{name: cc.Name, server: pcs[i].Server, labels: formatLabels(mergeLabels(pcs[i].Labels, labels[cc.Name])),
			apps: fmt.Sprint(counts[cc.Name]), version: "-"}
		g.Go(func() error {
			rows[i].version, rows[i].reachable = probeCluster(ctx, cc)
			return nil
		})
	}
	_ = g.Wait()
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSERVER\tREACHABLE\tVERSION\tLABELS\tAPPS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.name, r.server, yesNo(r.reachable), r.version, r.labels, r.apps)
	}
	return tw.Flush()
}

// probeCluster asks the cluster its version; an unreachable cluster gives
// the reason in place of the version.
func probeCluster(ctx context.Context, cc applier.ClusterConfig) (string, bool) {
	cfg, err := cc.RESTConfig()
	if err != nil {
		return "bad config", false
	}
	cfg.Timeout = probeTimeout
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return "bad config", false
	}
	v, err := dc.ServerVersion()
	if err != nil {
		return "unreachable", false
	}
	return v.GitVersion, true
}

func mergeLabels(a, b map[string]string) map[string]string {
	out := maps.Clone(a)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, b)
	return out
}

func formatLabels(l map[string]string) string {
	if len(l) == 0 {
		return "-"
	}
	keys := slices.Sorted(maps.Keys(l))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return strings.Join(parts, ",")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// hubCluster is a cluster read from an Argo CD cluster Secret on the hub.
type hubCluster struct {
	config  applier.ClusterConfig
	cluster planner.Cluster
}
