// Package ui serves gitwave's read-only status page: the fleet as a grid of
// apps × clusters and a page per app × cluster with its history and pin,
// read from the statuses and history the store keeps. It is server-rendered
// HTML (html/template, no JavaScript), answers GET and HEAD only, and never
// shows a Secret value.
package ui

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gitwave/gitwave/store"
)

// Store is what the status page reads.
type Store interface {
	AppStatuses(ctx context.Context, f store.AppStatusFilter) ([]store.AppStatus, error)
	History(ctx context.Context, app, cluster string, limit int) ([]store.SyncRecord, error)
	Pins(ctx context.Context, app string) ([]store.Pin, error)
}

// Options configure a Server.
type Options struct {
	// Store is where statuses, history and pins are read.
	Store Store
	// Auth, when it holds credentials, guards every page.
	Auth Auth
	// ReadAuth, when set, reads the credentials again on every request,
	// so that rotated credential files (a mounted Secret) apply without a
	// restart. A failed read keeps the credentials read last, Auth at
	// first: the page never opens because a file went missing.
	ReadAuth func() (Auth, error)
	// HistoryLimit bounds the syncs an app page lists (default 50).
	HistoryLimit int
	// Now is the clock for relative times (default time.Now).
	Now func() time.Time
	// Logger logs failed reads (default slog.Default()).
	Logger *slog.Logger
}

// Server is the status page's http.Handler.
type Server struct {
	opts Options
	mux  *http.ServeMux
	// auth is what ReadAuth answered last, or Options.Auth.
	auth atomic.Pointer[Auth]
	// authErr is the last ReadAuth error logged, so that a file missing
	// for a while is logged once, not on every request.
	authErr atomic.Pointer[string]
}

// New returns the status page over opts.Store.
func New(opts Options) (*Server, error) {
	if opts.Store == nil {
		return nil, fmt.Errorf("status page: a store is required")
	}
	if opts.HistoryLimit <= 0 {
		opts.HistoryLimit = 50
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{opts: opts, mux: http.NewServeMux()}
	s.auth.Store(&opts.Auth)
	s.mux.HandleFunc("/{$}", s.serveFleet)
	s.mux.HandleFunc("/app", s.serveApp)
	s.mux.HandleFunc("/applications/{name}", s.serveApplication)
	return s, nil
}

// ServeHTTP answers GET and HEAD (405 for anything else) after checking
// the credentials, with headers that keep the page from running or
// loading anything but its own inline style.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		http.Error(w, "the status page is read-only: GET or HEAD", http.StatusMethodNotAllowed)
		return
	}
	if auth := s.credentials(); !auth.allows(r) {
		auth.challenge(w)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// render executes the named page into a buffer first, so that a failed
// render answers 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	if r.Method == http.MethodHead {
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// fail logs err and answers 500 without its text, which may name the
// database.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.opts.Logger.Error("status page", "path", r.URL.Path, "err", err)
	http.Error(w, "the status page could not read gitwave's state; see gitwave's log", http.StatusInternalServerError)
}
