package gitlab

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitwave/gitwave/bot"
)

// states maps gitwave's status states to GitLab's commit status states.
var states = map[string]gl.BuildStateValue{
	"pending":  gl.Pending,
	"running":  gl.Running,
	"success":  gl.Success,
	"failure":  gl.Failed,
	"error":    gl.Failed,
	"failed":   gl.Failed,
	"canceled": gl.Canceled,
}

// SetStatus sets a commit status named s.Context on sha. gitwave's
// "failure" and "error" both become GitLab's "failed". Setting a pending or
// running status again, which GitLab refuses as a transition to the same
// state, is not an error.
func (h *Host) SetStatus(ctx context.Context, repo, sha string, s bot.Status) error {
	state, ok := states[s.State]
	if !ok {
		return fmt.Errorf("gitlab: status %s on %s@%s: state %q is not pending, running, success, failure, error or canceled", s.Context, repo, sha, s.State)
	}
	if err := checkRepo(repo); err != nil {
		return err
	}
	opts := &gl.SetCommitStatusOptions{
		State:       state,
		Name:        gl.Ptr(s.Context),
		Description: gl.Ptr(s.Description),
	}
	if s.TargetURL != "" {
		opts.TargetURL = gl.Ptr(s.TargetURL)
	}
	_, _, err := h.client.Commits.SetCommitStatus(repo, sha, opts, gl.WithContext(ctx))
	if err != nil && !sameState(err) {
		return fmt.Errorf("gitlab: set status %s=%s on %s@%s: %w", s.Context, state, repo, sha, err)
	}
	return nil
}

// sameState recognises GitLab's 400 "Cannot transition status via :enqueue
// from :pending".
func sameState(err error) bool {
	var e *gl.ErrorResponse
	return errors.As(err, &e) && e.Response != nil &&
		e.Response.StatusCode == http.StatusBadRequest &&
		strings.Contains(e.Message, "Cannot transition status")
}
