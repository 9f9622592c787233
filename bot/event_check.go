package bot

import (
	"errors"
	"fmt"
	"unicode"
)

// Check reports whether an event the bot acts on has what its work needs:
// a repository, a pull request with a positive number, a comment with an
// id, and full commit SHAs where the work reads trees. Host adapters call it
// at the end of Parse, so that a payload the host signed but gitwave cannot
// act on is refused when it arrives rather than failing in a worker.
func (ev Event) Check() error {
	switch ev.Kind {
	case EventIgnored:
		if ev.Reason == "" {
			return errors.New("ignored event without a reason")
		}
		return nil
	case EventPullRequest, EventMerged, EventComment, EventPush:
	default:
		return fmt.Errorf("event kind %q is not known", ev.Kind)
	}
	if ev.Repo == "" || !printable(ev.Repo) {
		return fmt.Errorf("%s event: repository %q is empty or not printable", ev.Kind, ev.Repo)
	}
	if ev.Kind == EventPush {
		return ev.checkPush()
	}
	if ev.PR == nil || ev.PR.Number <= 0 {
		return fmt.Errorf("%s event in %s: no pull request with a positive number", ev.Kind, ev.Repo)
	}
	switch ev.Kind {
	case EventComment:
		if ev.Comment == nil || ev.Comment.ID == "" {
			return fmt.Errorf("comment event on %s#%d: no comment id", ev.Repo, ev.PR.Number)
		}
		return checkSHAs(ev.Repo, map[string]string{"head": ev.PR.HeadSHA})
	case EventMerged:
		if !isCommitSHA(ev.PR.HeadSHA) {
			return fmt.Errorf("merge of %s#%d: head %q is not a commit SHA", ev.Repo, ev.PR.Number, ev.PR.HeadSHA)
		}
		return checkSHAs(ev.Repo, map[string]string{"merge": ev.PR.MergeSHA, "base": ev.PR.BaseSHA})
	}
	if !isCommitSHA(ev.PR.HeadSHA) {
		return fmt.Errorf("pull request %s#%d: head %q is not a commit SHA", ev.Repo, ev.PR.Number, ev.PR.HeadSHA)
	}
	return nil
}

func (ev Event) checkPush() error {
	if ev.Ref == "" || !printable(ev.Ref) {
		return fmt.Errorf("push to %s: branch %q is empty or not printable", ev.Repo, ev.Ref)
	}
	if !isCommitSHA(ev.After) {
		return fmt.Errorf("push to %s %s: new head %q is not a commit SHA", ev.Repo, ev.Ref, ev.After)
	}
	return checkSHAs(ev.Repo, map[string]string{"previous head": ev.Before})
}

// checkSHAs checks optional commit SHAs: each is empty or a full SHA.
func checkSHAs(repo string, shas map[string]string) error {
	for what, sha := range shas {
		if sha != "" && !isCommitSHA(sha) {
			return fmt.Errorf("%s: %s %q is not a commit SHA", repo, what, sha)
		}
	}
	return nil
}

// isCommitSHA reports whether s is a full commit SHA in lowercase hex, as
// the hosts send them: 40 digits (SHA-1) or 64 (SHA-256).
func isCommitSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// printable reports whether s holds only printable characters.
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}
