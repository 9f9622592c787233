package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gitwave/gitwave/applier"
	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// Defaults of Options.
const (
	DefaultWorkers = 4
	DefaultLease   = 2 * time.Minute
	DefaultPoll    = 250 * time.Millisecond
	// DefaultMaxBody is GitHub's own cap on a webhook payload.
	DefaultMaxBody = 25 << 20
	// DefaultMaxConcurrentWebhooks bounds the webhook bodies in memory at
	// once to 8 × MaxBody.
	DefaultMaxConcurrentWebhooks = 8
	// DefaultReconcileInterval is the reconcile loop's interval.
	DefaultReconcileInterval = 3 * time.Minute
)

// Options configures a Bot. Hosts, Repos, Store and GitDir are required;
// every other zero value is documented as usable.
type Options struct {
	// Hosts are the Git hosts served, one per Name ("github", "gitlab").
	Hosts []Host
	// Repos are the only repositories served; events for others are
	// ignored. Repositories of host "none" are read, never served.
	Repos []config.Repo
	// Repositories reads the sources outside the served repositories:
	// read-only repositories and chart repositories (a sources.Registry
	// built from repos[] and helmRepos[]). Served repositories are always
	// read through the bot's own mirrors. Nil reads only those.
	Repositories planner.Repositories
	// RepoURLs are the URLs Applications name served repositories by, by
	// Name, where that is not the URL gitwave clones (a local path in
	// tests and the demo); default: the repository's URL.
	RepoURLs map[string]string
	// Store holds deliveries, the job queue, comment ids, history and pins.
	Store *store.Store
	// Fleet reaches the clusters. Nil makes every diff a render diff and
	// every sync fail with "no cluster is configured".
	Fleet *applier.Fleet
	// Clusters are the configured clusters handed to the planner; Argo CD
	// cluster Secrets of the same name take their connection from here and
	// keep their labels.
	Clusters []planner.Cluster
	// MoreClusters, when set, adds clusters that change while gitwave runs
	// (the hub's cluster Secrets); it is asked at every read of a revision.
	MoreClusters func() []planner.Cluster
	// StatusPageURL is the status page's external URL (ui.externalURL);
	// when set, diff comments and commit statuses link to it.
	StatusPageURL string
	// Planner renders apps; nil means a zero Planner.
	Planner *planner.Planner
	// GitDir holds one bare mirror per served repository (dataDir/git).
	GitDir string
	// Policy names the policy file (empty: the repository's .gitwave.yaml
	// policy) and the role everyone holds.
	Policy config.Policy
	// ReconcileInterval is how often RunReconcile reconciles every served
	// repository; zero means DefaultReconcileInterval. A negative interval
	// turns the loop off (tests of one event): RunReconcile only waits and
	// deploys enqueue no pass; ReconcileOnce still runs one.
	ReconcileInterval time.Duration
	// Now is the reconcile loop's clock (its retries and backoff); nil
	// means time.Now.
	Now func() time.Time
	// Workers is how many jobs run at once; zero means DefaultWorkers.
	Workers int
	// Lease is how long a claimed job is held before another worker may
	// take it; it is renewed every third of it while the job runs. Zero
	// means DefaultLease.
	Lease time.Duration
	// Poll is how often an idle worker looks for a job; zero means
	// DefaultPoll.
	Poll time.Duration
	// MaxBody bounds a webhook body in bytes; zero means DefaultMaxBody.
	MaxBody int64
	// MaxConcurrentWebhooks is how many webhook requests may have their
	// body read and handled at once; one more waits up to a second for a
	// turn and is then answered 503 with Retry-After. Requests without a
	// signature or token never take a turn. Zero means
	// DefaultMaxConcurrentWebhooks.
	MaxConcurrentWebhooks int
	// Registry receives the metrics served on /metrics; nil means a
	// registry of the Bot's own.
	Registry *prometheus.Registry
	// Ops, when set, counts Git fetches (see NewOpsMetrics).
	Ops *OpsMetrics
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// Holder names this replica for the reconcile lock; empty means
	// hostname and process id.
	Holder string
	// StatusObserver hears the status changes of the loop, which runs on
	// the leader only (notifications: *notify.StatusNotifier); nil hears
	// nothing.
	StatusObserver reconcile.StatusObserver
	// OnDefaultBranch, when set, is told of the default branch's head of
	// a served repository at every pass of the loop, before its statuses
	// are observed (serve reads the notifications ConfigMap from it).
	OnDefaultBranch func(ctx context.Context, repo config.Repo, head planner.Source)
}

// Bot serves webhooks and runs the jobs they enqueue. Handler, RunWorkers
// and RunReconcile may run in one process or, sharing a PostgreSQL store, in
// several.
type Bot struct {
	opts     Options
	hosts    map[string]Host
	repos    map[string]config.Repo // by repoKey(host, name)
	mirrors  *mirrors
	recs     map[string]*reconcile.Reconciler // by repoKey
	planner  *planner.Planner
	sources  *servedSources
	roots    rootsCache
	metrics  *metrics
	log      *slog.Logger
	commands map[Verb]runner
	// webhookTurns holds one token per webhook request being handled.
	webhookTurns chan struct{}
	// driftStates remembers the last gitwave/drift status and head per
	// repository, so that a quiet repository is not sent it every pass.
	driftStates sync.Map
	// desired keeps each repository's last desired state for outages.
	desired desiredStates
}

// New checks opts and returns a Bot. Every served repository must name a
// configured host.
func New(opts Options) (*Bot, error) {
	if opts.Store == nil || opts.GitDir == "" {
		return nil, errors.New("bot: a store and a Git cache directory are required")
	}
	opts = withDefaults(opts)
	b := &Bot{
		opts:    opts,
		hosts:   map[string]Host{},
		repos:   map[string]config.Repo{},
		recs:    map[string]*reconcile.Reconciler{},
		roots:   rootsCache{holds: map[string]bool{}},
		planner: opts.Planner,
		log:     opts.Logger,
		metrics: newMetrics(opts.Registry),

		webhookTurns: make(chan struct{}, opts.MaxConcurrentWebhooks),
	}
	for _, h := range opts.Hosts {
		b.hosts[h.Name()] = h
	}
	b.sources = newServedSources(b)
	b.mirrors = newMirrors(opts.GitDir, opts.Clusters, b.sources, opts.Logger)
	b.mirrors.ops, b.mirrors.more, b.mirrors.hosts = opts.Ops, opts.MoreClusters, b.hosts
	for _, r := range opts.Repos {
		if r.Host == "none" {
			continue
		}
		if b.hosts[r.Host] == nil {
			return nil, fmt.Errorf("bot: repository %s is on host %q, which is not configured", r.Name, r.Host)
		}
		key := repoKey(r.Host, r.Name)
		b.repos[key] = r
		b.recs[key] = &reconcile.Reconciler{Planner: b.planner, Fleet: opts.Fleet, History: opts.Store,
			Source: b.mirrors.sourceFunc(r), Projects: b.defaultBranchProjects(r), Status: opts.Store, Now: opts.Now,
			Observer: opts.StatusObserver}
	}
	b.commands = b.runners()
	return b, nil
}

func withDefaults(o Options) Options {
	if o.Workers <= 0 {
		o.Workers = DefaultWorkers
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.Poll <= 0 {
		o.Poll = DefaultPoll
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxConcurrentWebhooks <= 0 {
		o.MaxConcurrentWebhooks = DefaultMaxConcurrentWebhooks
	}
	if o.ReconcileInterval == 0 {
		o.ReconcileInterval = DefaultReconcileInterval
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Planner == nil {
		o.Planner = &planner.Planner{}
	}
	if o.Holder == "" {
		host, _ := os.Hostname()
		o.Holder = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	return o
}

// Close closes the Git mirrors. The store and the fleet belong to the
// caller.
func (b *Bot) Close() { b.mirrors.Close() }

// now is the loop's clock.
func (b *Bot) now() time.Time {
	if b.opts.Now != nil {
		return b.opts.Now()
	}
	return time.Now()
}

// repoKey identifies a served repository across hosts.
func repoKey(host, name string) string { return host + ":" + name }
