package gitrepo

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// branchName matches the branch names RevertOnBranch accepts.
var branchName = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)

// RevertOnBranch makes one commit on top of base that reverts
// commitsToRevert, in the order given (pass the newest first), and publishes
// it as the new branch: pushed to the remote for a URL mirror, created with
// update-ref for a local repository. A merge commit is reverted against its
// first parent. An empty message means "Revert N commit(s)" with a line per
// reverted commit. The work happens in a temporary detached worktree, removed
// afterwards; the branch must not exist yet. It returns the new commit's SHA.
func (r *Repo) RevertOnBranch(ctx context.Context, base string, commitsToRevert []string, branch, message string) (string, error) {
	if !branchName.MatchString(branch) || strings.HasPrefix(branch, "-") || strings.Contains(branch, "..") {
		return "", fmt.Errorf("revert onto branch %q: not a valid branch name", branch)
	}
	if len(commitsToRevert) == 0 {
		return "", fmt.Errorf("revert onto branch %s: no commits to revert", branch)
	}
	baseSHA, err := r.Resolve(ctx, base)
	if err != nil {
		return "", fmt.Errorf("revert onto branch %s: %w", branch, err)
	}
	var commits []CommitInfo
	for _, rev := range commitsToRevert {
		c, err := r.Commit(ctx, rev)
		if err != nil {
			return "", fmt.Errorf("revert onto branch %s: %w", branch, err)
		}
		commits = append(commits, c)
	}
	if _, err := r.git(ctx, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
		return "", fmt.Errorf("revert onto branch %s in %s: the branch already exists", branch, r.loc)
	}
	if message == "" {
		message = defaultRevertMessage(commits)
	}
	var sha string
	err = r.withLock(ctx, func() error {
		sha, err = r.revertInWorktree(ctx, baseSHA, commits, branch, message)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("revert %d commit(s) onto branch %s from %s in %s: %w", len(commits), branch, base, r.loc, err)
	}
	return sha, nil
}

// revertInWorktree does the revert in a temporary worktree at base and
// publishes the result as branch.
func (r *Repo) revertInWorktree(ctx context.Context, base string, commits []CommitInfo, branch, message string) (string, error) {
	dir, err := os.MkdirTemp("", "gitwave-revert-")
	if err != nil {
		return "", err
	}
	defer r.removeWorktree(dir)
	if _, err := r.git(ctx, "-c", "core.hooksPath="+os.DevNull, "worktree", "add", "--detach", "--quiet", dir, base); err != nil {
		return "", err
	}
	wt := func(args ...string) ([]byte, error) {
		return r.run(ctx, gitCall{dir: dir, args: append(r.identity(), args...), timeout: r.opts.CommandTimeout})
	}
	for _, c := range commits {
		args := []string{"revert", "--no-commit"}
		if len(c.Parents) > 1 {
			args = append(args, "-m", "1")
		}
		if _, err := wt(append(args, c.SHA)...); err != nil {
			return "", fmt.Errorf("revert %s: %w", c.SHA, err)
		}
	}
	if _, err := r.run(ctx, gitCall{
		dir:     dir,
		args:    append(r.identity(), "commit", "--no-verify", "--quiet", "--allow-empty", "--file", "-"),
		stdin:   strings.NewReader(message),
		timeout: r.opts.CommandTimeout,
	}); err != nil {
		return "", err
	}
	out, err := wt("rev-parse", "HEAD")
	if err != nil {
		return "", err
	}
	sha := strings.TrimSpace(string(out))
	return sha, r.publish(ctx, dir, sha, branch)
}

// publish creates branch at sha, refusing to move an existing one: pushed to
// origin for a mirror, a plain ref update in a local repository.
func (r *Repo) publish(ctx context.Context, dir, sha, branch string) error {
	ref := "refs/heads/" + branch
	if !r.loc.remote() {
		if _, err := r.git(ctx, "update-ref", ref, sha, ""); err != nil {
			return fmt.Errorf("create %s: %w", branch, err)
		}
		return nil
	}
	_, err := r.runRemote(ctx, gitCall{
		dir:     dir,
		args:    []string{"push", "--quiet", "--force-with-lease=" + ref + ":", "origin", sha + ":" + ref},
		timeout: r.opts.FetchTimeout,
	})
	if err != nil {
		return fmt.Errorf("push %s: %w", branch, err)
	}
	// Push already records the branch through the mirror's refspec; make
	// sure Resolve sees it even if the refspec was changed.
	if _, err := r.git(ctx, "update-ref", ref, sha); err != nil {
		return fmt.Errorf("record pushed %s: %w", branch, err)
	}
	return nil
}

// identity returns the -c options naming gitwave as committer; environment
// variables GIT_AUTHOR_* and GIT_COMMITTER_* still win. Hooks are disabled:
// the revert runs unattended.
func (r *Repo) identity() []string {
	return []string{
		"-c", "user.name=" + r.opts.CommitterName,
		"-c", "user.email=" + r.opts.CommitterEmail,
		"-c", "core.hooksPath=" + os.DevNull,
	}
}

// removeWorktree deletes a temporary worktree and its record in the
// repository, even when the caller's context has ended.
func (r *Repo) removeWorktree(dir string) {
	ctx := context.Background()
	if _, err := r.git(ctx, "worktree", "remove", "--force", dir); err != nil {
		r.opts.Logger.Debug("remove worktree", "dir", dir, "error", err)
	}
	_ = os.RemoveAll(dir)
	_, _ = r.git(ctx, "worktree", "prune")
}

// defaultRevertMessage lists the reverted commits.
func defaultRevertMessage(commits []CommitInfo) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Revert %d commit(s)\n\n", len(commits))
	for _, c := range commits {
		subject, _, _ := strings.Cut(c.Message, "\n")
		fmt.Fprintf(&b, "This reverts commit %s (%q).\n", c.SHA, subject)
	}
	return b.String()
}
