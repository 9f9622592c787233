package gitrepo

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CommitInfo describes one commit.
type CommitInfo struct {
	// SHA is the commit's full object name.
	SHA string
	// Author is "Name <email>".
	Author string
	// AuthorTime is when the author made the change.
	AuthorTime time.Time
	// Message is the full commit message, without a trailing newline.
	Message string
	// Parents are the parents' SHAs, first parent first; none for a root
	// commit.
	Parents []string
}

// commitFormat prints the fields of CommitInfo separated by NUL bytes.
const commitFormat = "--format=%H%x00%an <%ae>%x00%aI%x00%P%x00%B"

// Commit describes the commit rev names.
func (r *Repo) Commit(ctx context.Context, rev string) (CommitInfo, error) {
	sha, err := r.Resolve(ctx, rev)
	if err != nil {
		return CommitInfo{}, fmt.Errorf("read commit %s: %w", rev, err)
	}
	out, err := r.git(ctx, "show", "-s", "--no-show-signature", commitFormat, sha)
	if err != nil {
		return CommitInfo{}, fmt.Errorf("read commit %s in %s: %w", sha, r.loc, err)
	}
	fields := strings.SplitN(string(out), "\x00", 5)
	if len(fields) != 5 {
		return CommitInfo{}, fmt.Errorf("read commit %s in %s: unexpected output %q", sha, r.loc, out)
	}
	when, err := time.Parse(time.RFC3339, fields[2])
	if err != nil {
		return CommitInfo{}, fmt.Errorf("read commit %s in %s: author date: %w", sha, r.loc, err)
	}
	return CommitInfo{
		SHA:        fields[0],
		Author:     fields[1],
		AuthorTime: when,
		Message:    strings.TrimRight(fields[4], "\n"),
		Parents:    strings.Fields(fields[3]),
	}, nil
}
