package bot

import (
	"context"
	"fmt"

	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/planner"
	"github.com/gitwave/gitwave/reconcile"
)

// removalNotes says, under each app × cluster the pull request's head no
// longer produces, what merging it does there: with the resources
// finalizer the objects of its last sync are deleted; without, they stay
// running, orphaned. The counts come from the store's inventory.
func (b *Bot) removalNotes(ctx context.Context, t *task, rep *planner.Report) map[planner.AppKey][]string {
	notes := map[planner.AppKey][]string{}
	baseInv, headInv := rep.BaseRevision.Inventory, rep.HeadRevision.Inventory
	for _, a := range rep.Apps {
		if a.Status != planner.AppRemoved || a.Before == nil {
			continue
		}
		rev, entries, err := b.opts.Store.Inventory(ctx, a.App.App, a.App.Cluster)
		if err != nil {
			t.log.Warn("read inventory of a removed app", "app", a.App.App, "cluster", a.App.Cluster, "error", err)
			continue
		}
		finalizer, orphanedBy := reconcile.RemovalFinalizer(a.Before, baseInv, headInv)
		notes[a.App] = append(notes[a.App], removalNote(a.App, finalizer, orphanedBy, rev, len(entries)))
	}
	return notes
}

// removalNote is one removed app's line in its section of the comment.
func removalNote(key planner.AppKey, finalizer, orphanedBy, revision string, objects int) string {
	where := markdown.Code(key.Cluster)
	if revision == "" && objects == 0 {
		return fmt.Sprintf(":information_source: **removed**: never deployed on %s by gitwave, so merging this deletes nothing there.", where)
	}
	last := fmt.Sprintf("the %d objects of its last sync there (%s)", objects, markdown.Code(short(revision)))
	switch {
	case finalizer != "":
		return fmt.Sprintf(":wastebasket: **will be deleted** from %s: its Application carries %s, so merging this deletes %s, last wave first; objects marked %s stay.",
			where, markdown.Code(finalizer), last, markdown.Code("Prune=false"))
	case orphanedBy != "":
		return fmt.Sprintf(":warning: **will be orphaned** on %s: its parent Application %s is removed without %s, which leaves this app's Application in place, so %s stay running, no longer managed by gitwave.",
			where, markdown.Code(orphanedBy), markdown.Code(reconcile.FinalizerResources), last)
	}
	return fmt.Sprintf(":warning: **will be orphaned** on %s: its Application has no %s, so %s stay running, no longer managed by gitwave. Add the finalizer before removing the app to delete them.",
		where, markdown.Code(reconcile.FinalizerResources), last)
}

// mergeNotes adds more to notes, app by app.
func mergeNotes(notes, more map[planner.AppKey][]string) map[planner.AppKey][]string {
	if notes == nil {
		notes = map[planner.AppKey][]string{}
	}
	for k, ls := range more {
		notes[k] = append(notes[k], ls...)
	}
	return notes
}

// hasRemoved reports whether a report holds a removed app.
func hasRemoved(rep *planner.Report) bool {
	for _, a := range rep.Apps {
		if a.Status == planner.AppRemoved {
			return true
		}
	}
	return false
}
