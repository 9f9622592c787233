package gitlab

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/gitwave/gitwave/bot"
)

// zeroSHA is the "before" or "after" of a push that creates or deletes a ref.
const zeroSHA = "0000000000000000000000000000000000000000"

// botUsername matches GitLab's project and group access token users
// ("project_42_bot_3f2a…", "group_7_bot") and accounts named "…_bot".
var botUsername = regexp.MustCompile(`^(project|group)_\d+_bot(_[0-9a-f]+)?$|_bot$`)

// Parse turns a verified webhook body into a bot.Event: Merge Request Hook
// (open, reopen, update with new commits, merge), Push Hook to a branch and
// Note Hook on a merge request. Everything else is bot.EventIgnored with a
// reason. A body that is not JSON, or an event without what its work needs
// (bot.Event.Check), is an error.
func (h *Host) Parse(d bot.Delivery, body []byte) (bot.Event, error) {
	if !json.Valid(body) {
		return bot.Event{}, fmt.Errorf("gitlab: parse %s delivery %s: body is not JSON", d.Event, d.ID)
	}
	var (
		ev  bot.Event
		err error
	)
	switch d.Event {
	case "Merge Request Hook":
		ev, err = parseMergeRequest(body)
	case "Push Hook":
		ev, err = parsePush(body)
	case "Note Hook":
		ev, err = h.parseNote(body)
	default:
		return ignored(fmt.Sprintf("event %q is not handled", d.Event)), nil
	}
	if err == nil {
		err = ev.Check()
	}
	if err != nil {
		return bot.Event{}, fmt.Errorf("gitlab: parse %s delivery %s: %w", d.Event, d.ID, err)
	}
	return ev, nil
}

func ignored(reason string) bot.Event {
	return bot.Event{Kind: bot.EventIgnored, Reason: reason}
}

func withProject(ev bot.Event, p hookProject, sender string) (bot.Event, error) {
	if p.PathWithNamespace == "" {
		return bot.Event{}, fmt.Errorf("payload has no project.path_with_namespace")
	}
	ev.Repo = p.PathWithNamespace
	ev.Sender = sender
	return ev, nil
}

func parseMergeRequest(body []byte) (bot.Event, error) {
	var p mergeRequestHook
	if err := json.Unmarshal(body, &p); err != nil {
		return bot.Event{}, err
	}
	mr := p.ObjectAttributes
	var kind bot.EventKind
	switch mr.Action {
	case "open", "reopen":
		kind = bot.EventPullRequest
	case "update":
		if mr.OldRev == "" {
			return ignored(fmt.Sprintf("merge request !%d updated without new commits", mr.IID)), nil
		}
		kind = bot.EventPullRequest
	case "merge":
		kind = bot.EventMerged
	default:
		return ignored(fmt.Sprintf("merge request action %q is not handled", mr.Action)), nil
	}
	ev, err := withProject(bot.Event{Kind: kind, Action: mr.Action}, p.Project, p.User.Username)
	if err != nil {
		return bot.Event{}, err
	}
	ev.PR = pullRequest(mr, p.User)
	if kind == bot.EventMerged {
		ev.PR.Merged = true
		ev.PR.MergeSHA = mr.MergeCommitSHA
	}
	return ev, nil
}

// pullRequest converts a hook's merge request. The payload names the author
// only by id: the author's username is filled in when the acting user is the
// author, and left empty otherwise.
func pullRequest(mr hookMergeRequest, actor hookUser) *bot.PR {
	pr := &bot.PR{
		Number:  mr.IID,
		Title:   mr.Title,
		HeadSHA: mr.LastCommit.ID,
		HeadRef: mr.SourceBranch,
		BaseRef: mr.TargetBranch,
		Merged:  mr.State == "merged",
		URL:     mr.URL,
		Body:    mr.Description,
	}
	if mr.AuthorID != 0 && mr.AuthorID == actor.ID {
		pr.Author = actor.Username
	}
	if pr.Merged {
		pr.MergeSHA = mr.MergeCommitSHA
	}
	return pr
}

func parsePush(body []byte) (bot.Event, error) {
	var p pushHook
	if err := json.Unmarshal(body, &p); err != nil {
		return bot.Event{}, err
	}
	branch, ok := strings.CutPrefix(p.Ref, "refs/heads/")
	if !ok || branch == "" {
		return ignored(fmt.Sprintf("push to %s is not to a branch", p.Ref)), nil
	}
	if p.After == zeroSHA {
		return ignored(fmt.Sprintf("push deleted branch %s", branch)), nil
	}
	ev, err := withProject(bot.Event{Kind: bot.EventPush}, p.Project, p.UserUsername)
	if err != nil {
		return bot.Event{}, err
	}
	ev.Ref, ev.Before, ev.After = branch, p.Before, p.After
	return ev, nil
}

func (h *Host) parseNote(body []byte) (bot.Event, error) {
	var p noteHook
	if err := json.Unmarshal(body, &p); err != nil {
		return bot.Event{}, err
	}
	note := p.ObjectAttributes
	switch {
	case note.NoteableType != "MergeRequest" || p.MergeRequest == nil:
		return ignored(fmt.Sprintf("note %d is on a %s, not a merge request", note.ID, note.NoteableType)), nil
	case note.Action == "update":
		return ignored(fmt.Sprintf("note %d was edited; only new notes are read", note.ID)), nil
	case note.System:
		return ignored(fmt.Sprintf("note %d is a system note", note.ID)), nil
	}
	ev, err := withProject(bot.Event{Kind: bot.EventComment}, p.Project, p.User.Username)
	if err != nil {
		return bot.Event{}, err
	}
	ev.PR = pullRequest(*p.MergeRequest, p.User)
	ev.Comment = &bot.Comment{
		ID:     strconv.FormatInt(note.ID, 10),
		Author: p.User.Username,
		Body:   note.Note,
		Bot:    p.User.Bot || h.isBot(p.User.Username),
	}
	return ev, nil
}

// isBot is true for access token users, "…_bot" accounts and the token's
// own user.
func (h *Host) isBot(username string) bool {
	if botUsername.MatchString(username) {
		return true
	}
	self := h.knownSelf()
	return self != "" && self == username
}
