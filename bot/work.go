package bot

import "fmt"

// workOf names the work an event asks for, whatever delivery brought it.
// The store accepts each name once per host (store.Delivery.Work), so a
// signed body replayed under a new delivery id is a duplicate:
//
//   - a comment command is its comment;
//   - a pull request event is its head and action, so a push to a new head
//     (or a reopen) is new work and the same head and action again is not;
//   - a merge is its merge commit (its head, when the host names none);
//   - a push is its branch and the heads before and after it.
//
// A merge arrives twice, as the merged pull request and as the push of the
// merge commit. Their names differ on purpose: both are accepted, and the
// first job to claim the revision deploys it (claimDeployment).
func workOf(ev Event) string {
	switch ev.Kind {
	case EventComment:
		return fmt.Sprintf("comment:%s/%s", ev.Repo, ev.Comment.ID)
	case EventPullRequest:
		return fmt.Sprintf("pr:%s#%d@%s:%s", ev.Repo, ev.PR.Number, ev.PR.HeadSHA, ev.Action)
	case EventMerged:
		if ev.PR.MergeSHA != "" {
			return fmt.Sprintf("merge:%s@%s", ev.Repo, ev.PR.MergeSHA)
		}
		return fmt.Sprintf("merge:%s#%d@%s", ev.Repo, ev.PR.Number, ev.PR.HeadSHA)
	case EventPush:
		return fmt.Sprintf("push:%s:%s@%s..%s", ev.Repo, ev.Ref, ev.Before, ev.After)
	}
	return ""
}
