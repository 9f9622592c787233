package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/reconcile"
)

// selfHealLock is the store lock that elects the replica running the
// schedule.
const selfHealLock = "selfheal"

// RunSelfHeal runs SelfHealOnce on Options.SelfHeal's cron schedule until
// ctx ends; a run still going when the next tick comes makes that tick
// skip. With no schedule it only waits for ctx.
func (b *Bot) RunSelfHeal(ctx context.Context) error {
	if b.opts.SelfHeal == "" {
		<-ctx.Done()
		return nil
	}
	sched, err := cron.ParseStandard(b.opts.SelfHeal)
	if err != nil {
		return fmt.Errorf("self-heal schedule %q: %w", b.opts.SelfHeal, err)
	}
	now := time.Now()
	next := sched.Next(now)
	ttl := max(3*sched.Next(next).Sub(next), 30*time.Second)
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	c.Schedule(sched, cron.FuncJob(func() { b.SelfHealOnce(ctx, ttl) }))
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return b.opts.Store.Unlock(unlockCtx, selfHealLock, b.opts.Holder)
}

// SelfHealOnce checks every served repository for drift, if this replica
// holds (or takes) the self-heal lock for ttl: apps with selfHeal, and
// pinned apps, are synced back; drift elsewhere is logged and reported as
// the commit status gitwave/drift on the default branch's head.
func (b *Bot) SelfHealOnce(ctx context.Context, ttl time.Duration) {
	mine, err := b.opts.Store.TryLock(ctx, selfHealLock, b.opts.Holder, ttl)
	if err != nil {
		b.log.Error("self-heal lock", "error", err)
		return
	}
	if !mine {
		return
	}
	for _, r := range b.opts.Repos {
		if err := b.healRepo(ctx, r); err != nil && ctx.Err() == nil {
			b.log.Error("self-heal", "repo", r.Name, "error", err)
		}
	}
}

func (b *Bot) healRepo(ctx context.Context, r config.Repo) error {
	h := b.hosts[r.Host]
	t := &task{host: h, repo: r, log: b.log.With("repo", r.Name)}
	co, err := b.mirrors.fetch(ctx, h, r)
	if err != nil {
		return err
	}
	defer co.Close()
	tip, err := co.resolve(ctx, r.DefaultBranch)
	if err != nil {
		return err
	}
	src, err := co.source(ctx, tip)
	if err != nil {
		return err
	}
	inv, err := b.planner.Discover(ctx, src)
	if err != nil {
		return err
	}
	results := b.recs[repoKey(r.Host, r.Name)].Drift(ctx, inv.Apps, reconcile.DriftOptions{Heal: true,
		Sync: reconcile.SyncOptions{Initiator: "gitwave"}})
	var unhealed []string
	for _, d := range results {
		key := d.App.Key().String()
		switch {
		case d.Err != nil:
			t.log.Warn("drift check failed", "app", key, "error", d.Err)
		case !d.Drifted:
		case d.Heal == nil:
			unhealed = append(unhealed, key)
			t.log.Warn("drift without selfHeal", "app", key, "revision", short(d.Revision), "objects", len(d.Changes))
		case d.Heal.Err != nil:
			unhealed = append(unhealed, key)
			t.log.Error("self-heal failed", "app", key, "revision", short(d.Revision), "error", d.Heal.Err)
		default:
			t.log.Info("drift healed", "app", key, "revision", short(d.Revision), "pinned", d.Pinned, "objects", len(d.Changes))
		}
	}
	return b.reportDrift(ctx, t, tip, unhealed)
}

// reportDrift sets gitwave/drift on the default branch head when its state
// changed.
func (b *Bot) reportDrift(ctx context.Context, t *task, tip string, unhealed []string) error {
	s := Status{Context: "gitwave/drift", State: "success", Description: "the clusters match their deployed revisions"}
	if len(unhealed) > 0 {
		s.State = "failure"
		s.Description = fmt.Sprintf("%d app(s) drifted without selfHeal: %s", len(unhealed), strings.Join(unhealed, ", "))
	}
	key := t.repo.Host + ":" + t.repo.Name + "@" + tip
	if prev, ok := b.driftStates.Load(key); ok && prev.(string) == s.State+s.Description {
		return nil
	}
	if err := setStatuses(ctx, t, tip, s); err != nil {
		return err
	}
	b.driftStates.Store(key, s.State+s.Description)
	return nil
}
