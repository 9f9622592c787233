package bot

import (
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
)

// Options configures a Bot. Hosts, Repos, Store and GitDir are required;
// every other zero value is documented as usable.
type Options struct {
	// Hosts are the Git hosts served, one per Name ("github", "gitlab").
	Hosts []Host
	// Repos are the only repositories served; events for others are
	// ignored.
	Repos []config.Repo
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
	// Planner renders apps; nil means a zero Planner.
	Planner *planner.Planner
	// GitDir holds one bare mirror per served repository (dataDir/git).
	GitDir string
	// Policy names the policy file (empty: the repository's .gitwave.yaml
	// policy) and the role everyone holds.
	Policy config.Policy
	// SelfHeal is the drift schedule in robfig/cron syntax; empty runs no
	// schedule.
	SelfHeal string
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
	// Holder names this replica for the self-heal lock; empty means
	// hostname and process id.
	Holder string
}

// Bot serves webhooks and runs the jobs they enqueue. Handler, RunWorkers
// and RunSelfHeal may run in one process or, sharing a PostgreSQL store, in
// several.
type Bot struct {
	opts     Options
	hosts    map[string]Host
	repos    map[string]config.Repo // by repoKey(host, name)
	mirrors  *mirrors
	recs     map[string]*reconcile.Reconciler // by repoKey
	planner  *planner.Planner
	metrics  *metrics
	log      *slog.Logger
	commands map[Verb]runner
	// webhookTurns holds one token per webhook request being handled.
	webhookTurns chan struct{}
	// driftStates remembers the last gitwave/drift status per repository
	// and head, so that a quiet repository is not sent it every tick.
	driftStates sync.Map
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
		planner: opts.Planner,
		log:     opts.Logger,
		metrics: newMetrics(opts.Registry),

		webhookTurns: make(chan struct{}, opts.MaxConcurrentWebhooks),
	}
	for _, h := range opts.Hosts {
		b.hosts[h.Name()] = h
	}
	b.mirrors = newMirrors(opts.GitDir, opts.Clusters, opts.Logger)
	b.mirrors.ops, b.mirrors.more = opts.Ops, opts.MoreClusters
	for _, r := range opts.Repos {
		if b.hosts[r.Host] == nil {
			return nil, fmt.Errorf("bot: repository %s is on host %q, which is not configured", r.Name, r.Host)
		}
		key := repoKey(r.Host, r.Name)
		b.repos[key] = r
		b.recs[key] = &reconcile.Reconciler{Planner: b.planner, Fleet: opts.Fleet, History: opts.Store,
			Source: b.mirrors.sourceFunc(r), Projects: b.defaultBranchProjects(r)}
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

// repoKey identifies a served repository across hosts.
func repoKey(host, name string) string { return host + ":" + name }
