package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/ui"
)

// statusPageAuth reads the status page's credentials from the files
// gitwave.yaml names; an empty file is an error, never an open page. The
// page reads them again on every request, so that rotated files apply.
func statusPageAuth(cfg *config.Config) (ui.Auth, error) {
	var a ui.Auth
	var err error
	if b := cfg.UI.BasicAuth; b != nil {
		if a.Username, err = requiredSecret(cfg, "ui.basicAuth.usernameFile", b.UsernameFile); err != nil {
			return ui.Auth{}, err
		}
		if a.Password, err = requiredSecret(cfg, "ui.basicAuth.passwordFile", b.PasswordFile); err != nil {
			return ui.Auth{}, err
		}
	}
	if f := cfg.UI.BearerTokenFile; f != "" {
		if a.BearerToken, err = requiredSecret(cfg, "ui.bearerTokenFile", f); err != nil {
			return ui.Auth{}, err
		}
	}
	return a, nil
}

// newStatusPage returns the status page's server on ui.listen, or nil when
// the page is off.
func newStatusPage(cfg *config.Config, st ui.Store, log *slog.Logger) (*http.Server, error) {
	if !cfg.UI.Enabled() {
		return nil, nil
	}
	auth, err := statusPageAuth(cfg)
	if err != nil {
		return nil, err
	}
	h, err := ui.New(ui.Options{Store: st, Auth: auth, Logger: log,
		ReadAuth: func() (ui.Auth, error) { return statusPageAuth(cfg) }})
	if err != nil {
		return nil, err
	}
	return &http.Server{Addr: cfg.UI.Listen, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}, nil
}

// serveStatusPage serves srv until ctx ends, then shuts it down.
func serveStatusPage(ctx context.Context, srv *http.Server, log *slog.Logger) error {
	done := make(chan error, 1)
	go func() {
		log.Info("gitwave status page", "listen", srv.Addr)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			done <- fmt.Errorf("status page: listen on %s: %w", srv.Addr, err)
			return
		}
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("status page: shut down: %w", err)
	}
	return <-done
}
