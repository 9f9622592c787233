package bot

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
	"github.com/gitwave/gitwave/reconcile"
	"github.com/gitwave/gitwave/store"
)

// runner runs one slash command on a pull request and returns the answer
// to post in the thread. An error means the command could not run (a
// fetch failed) and the job is retried; a denial or a failed sync is an
// answer.
type runner func(ctx context.Context, t *task, pr PR, cmd *Command) (string, error)

// runners is the dispatch table of the slash commands.
func (b *Bot) runners() map[Verb]runner {
	return map[Verb]runner{
		VerbDiff:      b.runDiff,
		VerbSync:      b.runSync,
		VerbRollback:  b.runRollback,
		VerbHistory:   b.runHistory,
		VerbStatus:    b.runStatus,
		VerbTerminate: b.runTerminate,
		VerbHelp: func(context.Context, *task, PR, *Command) (string, error) {
			return Usage(), nil
		},
	}
}

// onComment runs the command of a new comment from a human: it
// acknowledges the comment with a reaction at once, then answers in the
// thread.
func (b *Bot) onComment(ctx context.Context, t *task) error {
	c, n := t.ev.Comment, t.ev.PR.Number
	if c.Bot {
		return nil
	}
	parsed := ParseComment(c.Body)
	if parsed.Command == nil && parsed.Reply == "" {
		return nil
	}
	if err := t.host.React(ctx, t.repo.Name, n, c.ID, "eyes"); err != nil {
		t.log.Warn("acknowledge command", "comment", c.ID, "error", err)
	}
	line := commandLine(c.Body)
	if parsed.Reply != "" {
		return reply(ctx, t, n, fmt.Sprintf("> %s\n\n@%s %s", line, c.Author, parsed.Reply))
	}
	pr, err := t.host.PullRequest(ctx, t.repo.Name, n)
	if err != nil {
		return err
	}
	cmd := parsed.Command
	t.log.Info("command", "verb", cmd.Verb, "by", c.Author, "comment", c.ID)
	answer, err := b.commands[cmd.Verb](ctx, t, pr, cmd)
	if err != nil {
		return err
	}
	return reply(ctx, t, n, fmt.Sprintf("> %s\n\n@%s %s", line, c.Author, answer))
}

// commandLine is the comment's first line, quoted in the answer as code:
// what the commenter wrote is never markup in gitwave's answer.
func commandLine(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	return markdown.Code(line)
}

// runDiff renders the pull request again and refreshes gitwave's comment.
func (b *Bot) runDiff(ctx context.Context, t *task, pr PR, _ *Command) (string, error) {
	if err := b.refreshDiff(ctx, t, pr); err != nil {
		return "", err
	}
	return fmt.Sprintf("gitwave's diff comment now describes `%s`.", short(pr.HeadSHA)), nil
}

// runSync deploys the pull request's head (open) or the default branch
// (merged), for the named apps or else the apps the pull request touches,
// only where the policy grants the commenter sync on the app and cluster.
// An open pull request's head must also pass the rules of syncgate.go. A
// sync lifts the rollback pin of what it deployed.
func (b *Bot) runSync(ctx context.Context, t *task, pr PR, cmd *Command) (string, error) {
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return "", err
	}
	defer co.Close()
	if refusal, err := b.sourceRepoRefusal(ctx, t, co); err != nil || refusal != "" {
		return refusal, err
	}
	tip, err := co.resolve(ctx, t.repo.DefaultBranch)
	if err != nil {
		return "", err
	}
	sha, open := tip, !pr.Merged && pr.HeadSHA != ""
	var files []string
	if open {
		if sha, err = co.resolve(ctx, pr.HeadSHA); err != nil {
			return "", err
		}
		refusal, changed, err := b.prHeadRefusal(ctx, t, co, pr, sha, tip)
		if err != nil || refusal != "" {
			return refusal, err
		}
		files = changed
	} else if len(cmd.Apps) == 0 {
		if files, err = mergedFiles(ctx, co, pr, tip); err != nil {
			return "", err
		}
	}
	src, inv, err := b.discoverAt(ctx, t, co, sha)
	if err != nil {
		return "", err
	}
	apps, missing := syncTargets(cmd, src, inv, files)
	var refused []skippedApp
	if open {
		if apps, refused, err = b.sameOnDefault(ctx, t, co, tip, apps); err != nil {
			return "", err
		}
	}
	gate, err := b.authorizer(ctx, t, co, "sync")
	if err != nil {
		return "", err
	}
	allowed, denied := gate.split(apps)
	results := b.recs[repoKey(t.host.Name(), t.repo.Name)].Sync(ctx, src, inv, allowed,
		reconcile.SyncOptions{Trigger: store.TriggerCommand, Initiator: gate.subject.Login, Resume: t.rerun, StatusRepo: t.repo.Name})
	for _, r := range results {
		if r.Err == nil && r.Result != nil {
			if err := b.opts.Store.ClearPin(ctx, r.App.Name, r.App.Cluster.Name); err != nil {
				return "", err
			}
		}
	}
	title := fmt.Sprintf("gitwave synced `%s`", short(sha))
	return strings.Join(missing, "\n") + "\n\n" + syncReport("", title, results, append(refused, denied...)), nil
}

// mergedFiles are the files a merged pull request changed, by Git.
func mergedFiles(ctx context.Context, co *checkout, pr PR, tip string) ([]string, error) {
	base := tip
	if pr.BaseSHA != "" {
		base = pr.BaseSHA
	}
	if pr.HeadSHA == "" {
		return nil, nil
	}
	head, err := co.resolve(ctx, pr.HeadSHA)
	if err != nil {
		return nil, err
	}
	return prFiles(ctx, co, base, head)
}

// syncTargets are the apps a /sync names (on its --cluster), or else the
// apps that files touch.
func syncTargets(cmd *Command, src planner.Source, inv *planner.Inventory, files []string) ([]*planner.App, []string) {
	var apps []*planner.App
	var missing []string
	for _, name := range cmd.Apps {
		found := inv.Select(name, cmd.Cluster)
		if len(found) == 0 {
			missing = append(missing, fmt.Sprintf(":warning: no app %s%s at %s.", markdown.Code(name), onCluster(cmd.Cluster), markdown.Code(short(src.Revision))))
		}
		apps = append(apps, found...)
	}
	if len(cmd.Apps) > 0 {
		return apps, missing
	}
	for _, a := range inv.Apps {
		if (cmd.Cluster == "" || a.Cluster.Name == cmd.Cluster) && planner.Touches(planner.Dependencies(src, a), files) {
			apps = append(apps, a)
		}
	}
	return apps, missing
}

func onCluster(cluster string) string {
	if cluster == "" {
		return ""
	}
	return " on cluster " + markdown.Code(cluster)
}

// runHistory lists an app's last syncs and its rollback pins.
func (b *Bot) runHistory(ctx context.Context, _ *task, _ PR, cmd *Command) (string, error) {
	name := cmd.Apps[0]
	recs, err := b.opts.Store.History(ctx, name, cmd.Cluster, 20)
	if err != nil {
		return "", err
	}
	pins, err := b.opts.Store.Pins(ctx, name)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "history of %s%s:\n\n", markdown.Code(name), onCluster(cmd.Cluster))
	for _, p := range pins {
		if cmd.Cluster != "" && p.Cluster != cmd.Cluster {
			continue
		}
		fmt.Fprintf(&sb, "> :pushpin: pinned on %s at %s by %s since %s: %s%s\n", markdown.Code(p.Cluster), markdown.Code(short(p.Revision)),
			dash(p.By), p.CreatedAt.UTC().Format(time.RFC3339), dash(markdown.Code(p.Reason)), revertRef(p.RevertPR))
	}
	if len(recs) == 0 {
		sb.WriteString("\nNo sync recorded.\n")
		return sb.String(), nil
	}
	sb.WriteString("\n| Started | Cluster | Revision | Trigger | By | Result |\n|---|---|---|---|---|---|\n")
	for _, r := range recs {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", r.StartedAt.UTC().Format(time.RFC3339), markdown.CodeCell(r.Cluster),
			markdown.CodeCell(r.WithSources(short(r.Revision))), r.Trigger, dash(r.Initiator), phaseCell(r))
	}
	return sb.String(), nil
}

func revertRef(pr string) string {
	if pr == "" {
		return ""
	}
	return "; revert " + pr
}

func phaseCell(r store.SyncRecord) string {
	if r.Message == "" || r.Phase == store.PhaseSucceeded {
		return r.Phase
	}
	return r.Phase + ": " + markdown.CodeCell(oneLine(r.Message))
}

// gate answers policy questions for one commenter under the policy of the
// default branch.
type gate struct {
	action  string
	subject policies.Subject
	check   func(app *planner.App) (bool, string)
}

// authorizer loads the policy of the default branch's tip and answers
// whether the commenter may perform action on each app and its cluster.
func (b *Bot) authorizer(ctx context.Context, t *task, co *checkout, action string) (*gate, error) {
	tip, err := co.resolve(ctx, t.repo.DefaultBranch)
	if err != nil {
		return nil, err
	}
	src, err := co.source(ctx, tip)
	if err != nil {
		return nil, err
	}
	pol := b.policyAt(src, t.repo.Name)
	s, err := subject(ctx, t, pol, t.ev.Comment.Author)
	if err != nil {
		return nil, err
	}
	return &gate{action: action, subject: s, check: func(a *planner.App) (bool, string) {
		d := pol.Authorize(s, action, a.Name, a.Project, a.Cluster.Name)
		return d.Allowed, d.Reason
	}}, nil
}

// split divides apps into those the commenter may act on and those denied,
// with the policy's explanation.
func (g *gate) split(apps []*planner.App) ([]*planner.App, []skippedApp) {
	var ok []*planner.App
	var denied []skippedApp
	for _, a := range apps {
		if allowed, why := g.check(a); allowed {
			ok = append(ok, a)
		} else {
			denied = append(denied, skippedApp{a.Key(), ":no_entry: " + markdown.Code(why)})
		}
	}
	slices.SortStableFunc(ok, planner.CompareAppOrder)
	return ok, denied
}
