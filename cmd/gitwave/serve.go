package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/notify"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/sources"
)

func newServeCmd(opts options) *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "serve --config gitwave.yaml",
		Short: "Run the GitHub/GitLab app: PR diffs, merge-to-deploy, slash commands and the reconcile loop",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runServe(cmd.Context(), opts, configFile); err != nil {
				return exitWith(2, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "gitwave.yaml", "gitwave.yaml: hosts, repositories, clusters, policy, reconcile interval")
	return cmd
}

// runServe wires the configuration into a bot and serves until ctx ends.
func runServe(ctx context.Context, opts options, path string) error {
	cfg, err := config.Load(path)
	if err != nil {
		return err
	}
	hosts, err := serveHosts(cfg)
	if err != nil {
		return err
	}
	keys, err := (&sopsFlag{}).keys(cfg)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, cfg, "")
	if err != nil {
		return err
	}
	defer st.Close()
	ccs, pcs, err := clusterConfigs(cfg, "")
	if err != nil {
		return err
	}
	reg := prometheus.NewRegistry()
	ops := bot.NewOpsMetrics(reg, st)
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st, OnSync: ops.ObserveSync}})
	if err != nil {
		return err
	}
	defer fleet.Close()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	// Read-only repositories (host none) and chart repositories; the bot
	// reads the repositories it serves through its own mirrors.
	srcs, err := sources.New(cfg, cfg.Path(cfg.DataDir), sources.WithLogger(log))
	if err != nil {
		return err
	}
	defer srcs.Close()
	var hub *hubWatcher
	if cfg.ClusterSecrets != nil {
		if hub, err = newHubWatcher(*cfg.ClusterSecrets, fleet, ccs, log); err != nil {
			return err
		}
		if _, err := hub.refresh(ctx); err != nil {
			return err
		}
	}
	notifier, err := notify.NewServed(cfg, notify.Options{Ledger: st, Logger: log, Registerer: reg, StatusURL: cfg.UI.ExternalBase()}, st)
	if err != nil {
		return fmt.Errorf("notifications: %w", err)
	}
	var observer reconcile.StatusObserver
	var onDefaultBranch func(context.Context, config.Repo, planner.Source)
	if notifier != nil {
		defer notifier.Close(10 * time.Second)
		observer, onDefaultBranch = notifier, notifier.OnDefaultBranch
	}
	var moreClusters func() []planner.Cluster
	if hub != nil {
		moreClusters = hub.Clusters
	}
	b, err := bot.New(bot.Options{Hosts: hosts, Repos: cfg.Repos, Repositories: srcs, Store: st, Fleet: fleet, Clusters: pcs,
		Planner: opts.newPlanner(plannerLimits(cfg.Limits), keys),
		GitDir:  filepath.Join(cfg.Path(cfg.DataDir), "git"), Policy: cfg.Policy, ReconcileInterval: time.Duration(cfg.Reconcile.Interval), Logger: log,
		Registry: reg, Ops: ops, MoreClusters: moreClusters, StatusObserver: observer, OnDefaultBranch: onDefaultBranch,
		Workers: cfg.Jobs.Workers, Lease: time.Duration(cfg.Jobs.Lease), StatusPageURL: cfg.UI.ExternalBase()})
	if err != nil {
		return err
	}
	defer b.Close()
	page, err := newStatusPage(cfg, st, log)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: cfg.Listen, Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		log.Info("gitwave serving", "listen", cfg.Listen, "repos", len(cfg.Repos), "clusters", len(ccs))
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("listen on %s: %w", cfg.Listen, err)
		}
		return nil
	})
	if page != nil {
		g.Go(func() error { return serveStatusPage(gctx, page, log) })
	}
	g.Go(func() error { return b.RunWorkers(gctx) })
	g.Go(func() error { return b.RunReconcile(gctx) })
	if hub != nil {
		g.Go(func() error { return hub.run(gctx, hubRefresh) })
	}
	g.Go(func() error { return probeClusters(gctx, fleet, ops, hubRefresh) })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	return g.Wait()
}

// probeClusters sets gitwave_cluster_reachable now and every interval.
func probeClusters(ctx context.Context, fleet *applier.Fleet, ops *bot.OpsMetrics, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		ops.SetReachable(fleet.Reachability(ctx))
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// serveHosts builds the configured hosts. A host without a webhook secret
// refuses to start: webhooks are never accepted unsigned.
func serveHosts(cfg *config.Config) ([]bot.Host, error) {
	var hosts []bot.Host
	if c := cfg.GitHub; c != nil {
		secret, err := requiredSecret(cfg, "github.webhookSecretFile", c.WebhookSecretFile)
		if err != nil {
			return nil, err
		}
		key, err := requiredSecret(cfg, "github.privateKeyFile", c.PrivateKeyFile)
		if err != nil {
			return nil, err
		}
		h, err := github.New(github.Options{AppID: c.AppID, PrivateKey: []byte(key), WebhookSecret: []byte(secret), BaseURL: c.BaseURL})
		if err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	if c := cfg.GitLab; c != nil {
		secret, err := requiredSecret(cfg, "gitlab.webhookSecretFile", c.WebhookSecretFile)
		if err != nil {
			return nil, err
		}
		token, err := requiredSecret(cfg, "gitlab.tokenFile", c.TokenFile)
		if err != nil {
			return nil, err
		}
		h, err := gitlab.New(gitlab.Options{BaseURL: c.BaseURL, Token: []byte(token), WebhookSecret: []byte(secret)})
		if err != nil {
			return nil, err
		}
		hosts = append(hosts, h)
	}
	if len(hosts) == 0 {
		return nil, errors.New("serve: configure github or gitlab (or both) in the config file")
	}
	return hosts, nil
}

// requiredSecret reads a secret file named by field; a missing or empty
// one is an error naming the field, never the value.
func requiredSecret(cfg *config.Config, field, file string) (string, error) {
	if file == "" {
		return "", fmt.Errorf("serve: %s is required", field)
	}
	v, err := cfg.ReadSecret(file)
	if err != nil {
		return "", fmt.Errorf("serve: %s: %w", field, err)
	}
	if v == "" {
		return "", fmt.Errorf("serve: %s: %s is empty", field, file)
	}
	return v, nil
}
