package bot

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gitwave/gitwave/bot/markdown"
)

// Hidden markers that identify gitwave's comments on a pull request.
const (
	diffMarker   = "<!-- gitwave:diff -->"
	deployMarker = "<!-- gitwave:deploy -->"
)

// commentLimit is the most characters a comment may hold on h.
func commentLimit(h Host) int {
	if h.Name() == "gitlab" {
		return markdown.GitLabLimit
	}
	return markdown.GitHubLimit
}

// publishDiff makes the pull request's diff comments say parts: the
// comments gitwave posted before (by the ids in the store, else found by
// the marker) are edited in place, missing parts are created, and parts no
// longer needed are emptied and kept for when the report grows again.
func (b *Bot) publishDiff(ctx context.Context, t *task, n int, parts []string) error {
	st := b.opts.Store
	ids, err := st.CommentIDs(ctx, t.repo.Name, n)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		if ids, err = markedComments(ctx, t, n); err != nil {
			return err
		}
	}
	var out []string
	for i, body := range parts {
		if i < len(ids) {
			if err := t.host.EditComment(ctx, t.repo.Name, n, ids[i], body); err == nil {
				out = append(out, ids[i])
				continue
			}
			t.log.Warn("edit diff comment failed; posting it again", "comment", ids[i])
		}
		id, err := t.host.CreateComment(ctx, t.repo.Name, n, body)
		if err != nil {
			return err
		}
		out = append(out, id)
		// Saved at once, so that a retry edits rather than posts again.
		if err := st.SetCommentIDs(ctx, t.repo.Name, n, append(out, tail(ids, i+1)...)); err != nil {
			return err
		}
	}
	for i := len(parts); i < len(ids); i++ {
		body := partMarker(i+1) + "\n_This part of gitwave's diff is no longer needed: the report got shorter._\n"
		if err := t.host.EditComment(ctx, t.repo.Name, n, ids[i], body); err != nil {
			return err
		}
		out = append(out, ids[i])
	}
	return st.SetCommentIDs(ctx, t.repo.Name, n, out)
}

func tail(ids []string, from int) []string {
	if from >= len(ids) {
		return nil
	}
	return ids[from:]
}

// partMarker is the hidden marker of the n-th diff comment, as
// markdown.Diff writes it.
func partMarker(n int) string {
	if n == 1 {
		return diffMarker
	}
	return strings.TrimSuffix(diffMarker, " -->") + fmt.Sprintf(" part=%d -->", n)
}

// markedComments finds gitwave's diff comments by their marker, for a pull
// request the store has no ids of (a new database).
func markedComments(ctx context.Context, t *task, n int) ([]string, error) {
	comments, err := t.host.Comments(ctx, t.repo.Name, n)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(diffMarker, " -->")
	var ids []string
	for _, c := range comments {
		if c.Bot && strings.HasPrefix(c.Body, prefix) {
			ids = append(ids, c.ID)
		}
	}
	return ids, nil
}

// reply posts an answer in the pull request's thread, shortened to the
// host's limit if it must be.
func reply(ctx context.Context, t *task, n int, body string) error {
	_, err := t.host.CreateComment(ctx, t.repo.Name, n, fitComment(body, commentLimit(t.host)))
	return err
}

// fitComment cuts body at a line within limit bytes and says so. An answer
// is built to fit; this is the last guard, so that the host never refuses
// it.
func fitComment(body string, limit int) string {
	const note = "\n\n:scissors: The rest of this answer is left out to keep it within the host's size limit.\n"
	if len(body) <= limit {
		return body
	}
	kept := body[:limit-len(note)]
	if i := strings.LastIndex(kept, "\n"); i >= 0 {
		kept = kept[:i]
	}
	return strings.ToValidUTF8(kept, "") + note
}

// maxStatusDescription is the most characters of a commit status
// description: GitHub's limit, the smallest of the hosts'.
const maxStatusDescription = 140

// statusDescription is s on one line, without control characters, within
// maxStatusDescription characters.
func statusDescription(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= maxStatusDescription {
		return s
	}
	return string([]rune(s)[:maxStatusDescription-1]) + "…"
}

// setStatuses sets commit statuses on sha, stopping at the first failure.
// Descriptions are bounded by statusDescription.
func setStatuses(ctx context.Context, t *task, sha string, statuses ...Status) error {
	for _, s := range statuses {
		s.Description = statusDescription(s.Description)
		if err := t.host.SetStatus(ctx, t.repo.Name, sha, s); err != nil {
			return fmt.Errorf("set status %s on %s: %w", s.Context, short(sha), err)
		}
	}
	return nil
}
