package gitlab

import (
	"context"
	"fmt"
	"strconv"

	gl "gitlab.com/gitlab-org/api/client-go"

	"github.com/gitwave/gitwave/bot"
)

// pageSize is the largest page GitLab serves.
const pageSize = 100

// Comments lists a merge request's notes, oldest first, following every
// page; system notes ("added 1 commit") are left out.
func (h *Host) Comments(ctx context.Context, repo string, mr int) ([]bot.Comment, error) {
	if err := checkRepo(repo); err != nil {
		return nil, err
	}
	if _, err := h.self(ctx); err != nil {
		return nil, err
	}
	opts := &gl.ListMergeRequestNotesOptions{
		ListOptions: gl.ListOptions{PerPage: pageSize},
		OrderBy:     gl.Ptr("created_at"),
		Sort:        gl.Ptr("asc"),
	}
	var out []bot.Comment
	for {
		page, resp, err := h.client.Notes.ListMergeRequestNotes(repo, int64(mr), opts, gl.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("gitlab: list notes of %s!%d: %w", repo, mr, err)
		}
		for _, n := range page {
			if n.System {
				continue
			}
			out = append(out, bot.Comment{
				ID:     strconv.FormatInt(n.ID, 10),
				Author: n.Author.Username,
				Body:   n.Body,
				Bot:    h.isBot(n.Author.Username),
			})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreateComment posts a note on a merge request and returns its id.
func (h *Host) CreateComment(ctx context.Context, repo string, mr int, body string) (string, error) {
	if err := checkRepo(repo); err != nil {
		return "", err
	}
	n, _, err := h.client.Notes.CreateMergeRequestNote(repo, int64(mr),
		&gl.CreateMergeRequestNoteOptions{Body: &body}, gl.WithContext(ctx))
	if err != nil {
		return "", fmt.Errorf("gitlab: comment on %s!%d: %w", repo, mr, err)
	}
	return strconv.FormatInt(n.ID, 10), nil
}

// EditComment replaces a note's body.
func (h *Host) EditComment(ctx context.Context, repo string, mr int, id, body string) error {
	noteID, err := parseID(id)
	if err != nil {
		return fmt.Errorf("gitlab: edit note on %s!%d: %w", repo, mr, err)
	}
	if err := checkRepo(repo); err != nil {
		return err
	}
	_, _, err = h.client.Notes.UpdateMergeRequestNote(repo, int64(mr), noteID,
		&gl.UpdateMergeRequestNoteOptions{Body: &body}, gl.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("gitlab: edit note %s on %s!%d: %w", id, repo, mr, err)
	}
	return nil
}

// emojiNames maps GitHub's reaction names, which the bot speaks, to GitLab
// award emoji; other names pass through.
var emojiNames = map[string]string{
	"+1":     "thumbsup",
	"-1":     "thumbsdown",
	"laugh":  "laughing",
	"hooray": "tada",
}

// React awards an emoji ("eyes", "+1", "-1", "rocket", ...) to a note.
func (h *Host) React(ctx context.Context, repo string, mr int, commentID, reaction string) error {
	noteID, err := parseID(commentID)
	if err != nil {
		return fmt.Errorf("gitlab: react on %s!%d: %w", repo, mr, err)
	}
	if err := checkRepo(repo); err != nil {
		return err
	}
	name := reaction
	if n, ok := emojiNames[reaction]; ok {
		name = n
	}
	_, _, err = h.client.AwardEmoji.CreateMergeRequestAwardEmojiOnNote(repo, int64(mr), noteID,
		&gl.CreateAwardEmojiOptions{Name: name}, gl.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("gitlab: award %q to note %s on %s!%d: %w", name, commentID, repo, mr, err)
	}
	return nil
}

func parseID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("note id %q is not a positive number", id)
	}
	return n, nil
}
