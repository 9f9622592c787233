package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/policies"
	"github.com/gitwave/gitwave/store"
)

// runStatus answers /status [APP] [--cluster NAME] with the statuses the
// reconcile loop saved for the repository's apps, those the commenter may
// get under the default branch's policy.
func (b *Bot) runStatus(ctx context.Context, t *task, _ PR, cmd *Command) (string, error) {
	co, err := b.mirrors.fetch(ctx, t.repo)
	if err != nil {
		return "", err
	}
	defer co.Close()
	g, err := b.authorizer(ctx, t, co, policies.ActionGet)
	if err != nil {
		return "", err
	}
	f := store.AppStatusFilter{Repo: t.repo.Name, Cluster: cmd.Cluster}
	if len(cmd.Apps) == 1 {
		f.App = cmd.Apps[0]
	}
	all, err := b.opts.Store.AppStatuses(ctx, f)
	if err != nil {
		return "", err
	}
	var shown []store.AppStatus
	hidden := 0
	for _, st := range all {
		app := &planner.App{Name: st.App, Project: st.Project, Cluster: planner.Cluster{Name: st.Cluster}}
		if ok, _ := g.check(app); ok {
			shown = append(shown, st)
		} else {
			hidden++
		}
	}
	return statusTable(f, shown, hidden), nil
}

// statusTable renders statuses as the markdown table /status answers
// with; every repository string is escaped.
func statusTable(f store.AppStatusFilter, sts []store.AppStatus, hidden int) string {
	var sb strings.Builder
	what := "apps"
	if f.App != "" {
		what = markdown.Code(f.App)
	}
	fmt.Fprintf(&sb, "status of %s%s:\n\n", what, onCluster(f.Cluster))
	if len(sts) == 0 {
		sb.WriteString("No status recorded: the reconcile loop has not seen such an app, or the policy does not let you get it.\n")
		return sb.String()
	}
	sb.WriteString("| App | Cluster | Sync | Health | Desired | Deployed | Last sync | Next retry | Message |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, st := range sts {
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", markdown.CodeCell(st.App), markdown.CodeCell(st.Cluster),
			st.Sync, st.Health, revCell(st.DesiredRevision), revCell(st.DeployedRevision), st.LastSync.Summary(),
			st.RetrySummary(), messageCell(st))
	}
	if hidden > 0 {
		fmt.Fprintf(&sb, "\n%d more app(s) the policy does not let you get.\n", hidden)
	}
	return sb.String()
}

func revCell(rev string) string {
	if rev == "" {
		return "-"
	}
	return markdown.CodeCell(short(rev))
}

func messageCell(st store.AppStatus) string {
	msg := st.Reason()
	if msg == "" {
		return "-"
	}
	return markdown.CodeCell(markdown.Cut(oneLine(msg), 200))
}
