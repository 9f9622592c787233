package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
)

// A /sync in an open pull request deploys its head, which no one has
// merged, so it runs only when all of these hold:
//
//  1. the head is the one gitwave's diff comment last described (else the
//     diff is refreshed and the commenter asked to look again);
//  2. the pull request's author may make the whole change: its path
//     verdict at that head, under the default branch's policy, is success;
//  3. each app exists on the default branch with the same project and
//     destination: a pull request cannot add or retarget an app by command;
//  4. the commenter holds sync on the app and its cluster.
//
// The first rule that fails is named in the answer.

// prHeadRefusal checks rules 1 and 2 for an open pull request at head and
// returns why the /sync may not run, or "" and the files the pull request
// changes (from its merge base with the default branch tip, by Git).
func (b *Bot) prHeadRefusal(ctx context.Context, t *task, co *checkout, pr PR, head, tip string) (string, []string, error) {
	diffed, err := b.opts.Store.DiffedHead(ctx, t.repo.Name, pr.Number)
	if err != nil {
		return "", nil, err
	}
	if diffed != head {
		pr.HeadSHA = head
		if err := b.refreshDiff(ctx, t, pr); err != nil {
			return "", nil, err
		}
		was := "had not diffed this pull request yet"
		if diffed != "" {
			was = fmt.Sprintf("last diffed %s", markdown.Code(short(diffed)))
		}
		return fmt.Sprintf(":warning: Nothing was synced: the head of this pull request is `%s`, but gitwave %s. "+
			"`/sync` deploys only what gitwave's diff comment shows; it now describes `%s`. Review it and comment again.",
			short(head), was, short(head)), nil, nil
	}
	files, err := prFiles(ctx, co, tip, head)
	if err != nil {
		return "", nil, err
	}
	src, err := co.source(ctx, tip)
	if err != nil {
		return "", nil, err
	}
	pol := b.policyAt(src, t.repo.Name)
	s, err := subject(ctx, t, pol, pr.Author)
	if err != nil {
		return "", nil, err
	}
	v := pol.CheckChange(s, inRepo(t.repo.Name, files, true))
	if !v.Allowed {
		return fmt.Sprintf(":no_entry: Nothing was synced: `/sync` deploys an open pull request's head only when its author may make the whole change, "+
			"and the policy of the default branch does not let %s make this one. Merge it after review instead.\n\n> %s",
			markdown.Code(pr.Author), strings.Join(policyNotes(v), "\n> ")), nil, nil
	}
	return "", files, nil
}

// prFiles are the files a pull request at head changes: from its merge base
// with base to head, by Git.
func prFiles(ctx context.Context, co *checkout, base, head string) ([]string, error) {
	mb, err := co.git.MergeBase(ctx, base, head)
	if err != nil {
		return nil, err
	}
	return co.git.ChangedFiles(ctx, mb, head)
}

// sameOnDefault checks rule 3: it keeps the apps that the default branch
// at tip has with the same project and destination, and refuses the others.
func (b *Bot) sameOnDefault(ctx context.Context, t *task, co *checkout, tip string, apps []*planner.App) ([]*planner.App, []skippedApp, error) {
	if len(apps) == 0 {
		return nil, nil, nil
	}
	_, inv, err := b.discoverAt(ctx, t, co, tip)
	if err != nil {
		return nil, nil, err
	}
	var ok []*planner.App
	var refused []skippedApp
	for _, a := range apps {
		if why := retargeted(inv.App(a.Key()), a); why != "" {
			refused = append(refused, skippedApp{a.Key(), ":no_entry: " + why + "; `/sync` in a pull request cannot add or retarget an app, merging can"})
			continue
		}
		ok = append(ok, a)
	}
	return ok, refused, nil
}

// retargeted says how app at a pull request's head differs from the same
// app on the default branch (nil: it does not exist there), or "".
func retargeted(onDefault, app *planner.App) string {
	switch {
	case onDefault == nil:
		return fmt.Sprintf("the default branch has no app %s on cluster %s", markdown.Code(app.Name), markdown.Code(app.Cluster.Name))
	case onDefault.Project != app.Project:
		return fmt.Sprintf("its project is %s here but %s on the default branch", markdown.Code(app.Project), markdown.Code(onDefault.Project))
	case onDefault.Namespace != app.Namespace:
		return fmt.Sprintf("its destination namespace is %s here but %s on the default branch", markdown.Code(app.Namespace), markdown.Code(onDefault.Namespace))
	case onDefault.Cluster.Server != app.Cluster.Server:
		return fmt.Sprintf("its destination server is %s here but %s on the default branch", markdown.Code(app.Cluster.Server), markdown.Code(onDefault.Cluster.Server))
	}
	return ""
}
