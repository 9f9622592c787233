package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/store"
)

// runTerminate asks the app's running syncs (on --cluster, else on every
// cluster) to stop, where the policy of the default branch grants the
// commenter sync on the app and its cluster, as /sync needs. The process
// running a sync, on any replica, sees the request in the store and stops
// it between objects; history records it as Terminated.
func (b *Bot) runTerminate(ctx context.Context, t *task, _ PR, cmd *Command) (string, error) {
	name := cmd.Apps[0]
	running, err := b.opts.Store.Running(ctx, name, cmd.Cluster)
	if err != nil {
		return "", err
	}
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return "", err
	}
	defer co.Close()
	gate, err := b.authorizer(ctx, t, co, "sync")
	if err != nil {
		return "", err
	}
	projects, err := b.projectsOnDefault(ctx, t, co, name)
	if err != nil {
		return "", err
	}
	var lines []string
	for _, r := range running {
		app := &planner.App{Name: r.App, Project: firstOf(projects[r.Cluster], r.Project), Cluster: planner.Cluster{Name: r.Cluster}}
		if ok, why := gate.check(app); !ok {
			lines = append(lines, fmt.Sprintf("- %s: :no_entry: %s", markdown.Code(r.Cluster), markdown.Code(why)))
			continue
		}
		lines = append(lines, b.requestTerminate(ctx, r, gate.subject.Login))
	}
	if len(lines) == 0 {
		return fmt.Sprintf("no sync of %s%s is running.", markdown.Code(name), onCluster(cmd.Cluster)), nil
	}
	return fmt.Sprintf("terminate %s:\n\n%s\n", markdown.Code(name), strings.Join(lines, "\n")), nil
}

// requestTerminate records the request to stop one running sync and says
// what happened.
func (b *Bot) requestTerminate(ctx context.Context, r store.SyncRecord, by string) string {
	_, err := b.opts.Store.RequestTerminate(ctx, r.App, r.Cluster, by)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Sprintf("- %s: the sync ended, or was already asked to stop.", markdown.Code(r.Cluster))
	case err != nil:
		return fmt.Sprintf("- %s: :x: %s", markdown.Code(r.Cluster), markdown.Code(err.Error()))
	}
	return fmt.Sprintf("- %s: asked sync %d of %s (by %s) to stop; it stops between objects and is recorded as Terminated. "+
		"gitwave does not start it again before a new revision or `/sync`.",
		markdown.Code(r.Cluster), r.ID, markdown.Code(short(r.Revision)), dash(markdown.Code(r.Initiator)))
}

// projectsOnDefault maps each cluster the default branch deploys app to
// onto the app's project there, the trusted answer to which project the
// policy checks.
func (b *Bot) projectsOnDefault(ctx context.Context, t *task, co *checkout, app string) (map[string]string, error) {
	_, inv, err := b.discoverAt(ctx, t, co, t.repo.DefaultBranch)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range inv.Apps {
		if a.Name == app {
			out[a.Cluster.Name] = a.Project
		}
	}
	return out, nil
}
