package notify

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"path"
	"sync"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// Served is the notifier of `gitwave serve`: a StatusNotifier whose
// engine is built from gitwave.yaml's notifications, at once from a
// configMap file, or from repoPath in the roots repository's default
// branch when the loop first reads it, and built again when a new head
// changes that file. A pull request never reaches it: the loop reads only
// the default branch.
type Served struct {
	*StatusNotifier
	cfg   *config.Config
	opts  Options
	roots string // the served repository whose default branch holds repoPath

	mu   sync.Mutex
	last []byte // the ConfigMap the engine was built from (repoPath)
}

// NewServed returns nil when gitwave.yaml configures no notifications.
// The roots repository of repoPath is the first served repository of
// gitwave.yaml (host github or gitlab).
func NewServed(c *config.Config, opts Options, hist History) (*Served, error) {
	n := c.Notifications
	if n == nil {
		return nil, nil
	}
	if opts.ArgocdURL == "" {
		opts.ArgocdURL = n.ArgocdURL
	}
	s := &Served{StatusNotifier: &StatusNotifier{History: hist, Logger: opts.Logger}, cfg: c, opts: opts}
	if n.ConfigMap != "" {
		cfg, err := FromSettings(c, nil)
		if err != nil {
			return nil, err
		}
		e, err := New(cfg, opts)
		if err != nil {
			return nil, err
		}
		s.Swap(e)
		return s, nil
	}
	for _, r := range c.Repos {
		if r.Host != "none" {
			s.roots = r.Name
			break
		}
	}
	if s.roots == "" {
		return nil, fmt.Errorf("notifications.repoPath %s: gitwave.yaml serves no repository to read it from", n.RepoPath)
	}
	return s, nil
}

// OnDefaultBranch builds the engine from repoPath in head when head is the
// roots repository's default branch and the file changed. A ConfigMap
// that does not load is logged, and the engine built before keeps
// running.
func (s *Served) OnDefaultBranch(ctx context.Context, repo config.Repo, head planner.Source) {
	if s.roots == "" || repo.Name != s.roots || head.Repo == nil {
		return
	}
	rp := s.cfg.Notifications.RepoPath
	log := s.logger().With("component", "notify", "repo", repo.Name, "revision", head.Revision, "path", rp)
	manifest, err := fs.ReadFile(head.Repo, path.Clean(rp))
	if err != nil {
		log.Error("notifications ConfigMap not read from the default branch", "error", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last != nil && bytes.Equal(manifest, s.last) {
		return
	}
	cfg, err := FromSettings(s.cfg, head.Repo)
	if err == nil {
		var e *Engine
		if e, err = New(cfg, s.opts); err == nil {
			s.last = manifest
			retire(s.Swap(e))
			log.Info("notifications configured from the default branch")
			return
		}
	}
	log.Error("notifications ConfigMap not loaded; the previous one stays", "error", err)
}

// Close delivers what is queued, for at most wait, and stops the engine.
func (s *Served) Close(wait time.Duration) {
	if e := s.Swap(nil); e != nil {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		_ = e.Drain(ctx)
		e.Close()
	}
}

// retire lets a replaced engine finish its deliveries, then stops it.
func retire(e *Engine) {
	if e == nil {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = e.Drain(ctx)
		e.Close()
	}()
}
