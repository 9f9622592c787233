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

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/bot"
	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/gitlab"
	"github.com/gitwave/gitwave/config"
)

func newServeCmd() *cobra.Command {
	var configFile string
	cmd := &cobra.Command{
		Use:   "serve --config gitwave.yaml",
		Short: "Run the GitHub/GitLab app: PR diffs, merge-to-deploy, slash commands and self-heal",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := runServe(cmd.Context(), configFile); err != nil {
				return exitWith(2, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&configFile, "config", "gitwave.yaml", "gitwave.yaml: hosts, repositories, clusters, policy, self-heal schedule")
	return cmd
}

// runServe wires the configuration into a bot and serves until ctx ends.
func runServe(ctx context.Context, path string) error {
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
	fleet, err := applier.NewFleet(ccs, applier.FleetOptions{Manager: applier.Options{Store: st}})
	if err != nil {
		return err
	}
	defer fleet.Close()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	b, err := bot.New(bot.Options{Hosts: hosts, Repos: cfg.Repos, Store: st, Fleet: fleet, Clusters: pcs,
		Planner: newPlanner(plannerLimits(cfg.Limits), keys),
		GitDir:  filepath.Join(cfg.Path(cfg.DataDir), "git"), Policy: cfg.Policy, SelfHeal: cfg.SelfHeal.Schedule, Logger: log})
	if err != nil {
		return err
	}
	defer b.Close()
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
	g.Go(func() error { return b.RunWorkers(gctx) })
	g.Go(func() error { return b.RunSelfHeal(gctx) })
	g.Go(func() error {
		<-gctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(gctx), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	})
	return g.Wait()
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
