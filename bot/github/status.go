package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/gitwave/gitwave/bot"
)

// SetStatus sets a commit status (pending, success, failure or error) on
// sha. A description longer than MaxStatusDescription is shortened with an
// ellipsis, since GitHub refuses it otherwise.
func (h *Host) SetStatus(ctx context.Context, repo, sha string, s bot.Status) error {
	switch s.State {
	case "pending", "success", "failure", "error":
	default:
		return fmt.Errorf("github: status %s on %s@%s: state %q is not pending, success, failure or error", s.Context, repo, sha, s.State)
	}
	inst, owner, name, err := h.client(ctx, repo)
	if err != nil {
		return err
	}
	status := &gh.RepoStatus{
		State:       gh.String(s.State),
		Context:     gh.String(s.Context),
		Description: gh.String(shorten(s.Description, MaxStatusDescription)),
	}
	if s.TargetURL != "" {
		status.TargetURL = gh.String(s.TargetURL)
	}
	if _, _, err := inst.client.Repositories.CreateStatus(ctx, owner, name, sha, status); err != nil {
		return fmt.Errorf("github: set status %s=%s on %s@%s: %w", s.Context, s.State, repo, sha, err)
	}
	return nil
}

// shorten cuts s to at most max characters, ending in "…" when cut.
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}
