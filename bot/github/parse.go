package github

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	gh "github.com/google/go-github/v60/github"

	"github.com/gitwave/gitwave/bot"
)

// zeroSHA is the "before" or "after" of a push that creates or deletes a ref.
const zeroSHA = "0000000000000000000000000000000000000000"

// Parse turns a verified webhook body into a bot.Event: pull_request
// (opened, reopened, synchronize, closed and merged), push to a branch and
// issue_comment created on a pull request. Everything else is
// bot.EventIgnored with a reason. A body that is not JSON, or an event
// without what its work needs (bot.Event.Check), is an error.
func (h *Host) Parse(d bot.Delivery, body []byte) (bot.Event, error) {
	if !json.Valid(body) {
		return bot.Event{}, fmt.Errorf("github: parse %s delivery %s: body is not JSON", d.Event, d.ID)
	}
	var (
		ev  bot.Event
		err error
	)
	switch d.Event {
	case "pull_request":
		ev, err = parsePullRequest(body)
	case "push":
		ev, err = parsePush(body)
	case "issue_comment":
		ev, err = parseIssueComment(body)
	default:
		return ignored(fmt.Sprintf("event %q is not handled", d.Event)), nil
	}
	if err == nil {
		err = ev.Check()
	}
	if err != nil {
		return bot.Event{}, fmt.Errorf("github: parse %s delivery %s: %w", d.Event, d.ID, err)
	}
	return ev, nil
}

func ignored(reason string) bot.Event {
	return bot.Event{Kind: bot.EventIgnored, Reason: reason}
}

// withRepo fills the repository and sender fields every event shares.
func withRepo(ev bot.Event, repo *gh.Repository, sender *gh.User) bot.Event {
	ev.Repo = repo.GetFullName()
	ev.Sender = sender.GetLogin()
	return ev
}

func parsePullRequest(body []byte) (bot.Event, error) {
	var p gh.PullRequestEvent
	if err := json.Unmarshal(body, &p); err != nil {
		return bot.Event{}, err
	}
	if p.PullRequest == nil || p.Repo == nil {
		return bot.Event{}, fmt.Errorf("payload has no pull_request or repository")
	}
	var kind bot.EventKind
	switch action := p.GetAction(); {
	case action == "opened" || action == "reopened" || action == "synchronize":
		kind = bot.EventPullRequest
	case action == "closed" && p.PullRequest.GetMerged():
		kind = bot.EventMerged
	case action == "closed":
		return ignored(fmt.Sprintf("pull request #%d closed without merging", p.GetNumber())), nil
	default:
		return ignored(fmt.Sprintf("pull_request action %q is not handled", action)), nil
	}
	ev := withRepo(bot.Event{Kind: kind, Action: p.GetAction()}, p.Repo, p.Sender)
	ev.PR = pullRequest(p.PullRequest)
	return ev, nil
}

// pullRequest converts go-github's pull request to the bot's.
func pullRequest(pr *gh.PullRequest) *bot.PR {
	out := &bot.PR{
		Number:  pr.GetNumber(),
		Title:   pr.GetTitle(),
		Author:  pr.GetUser().GetLogin(),
		HeadSHA: pr.GetHead().GetSHA(),
		HeadRef: pr.GetHead().GetRef(),
		BaseRef: pr.GetBase().GetRef(),
		BaseSHA: pr.GetBase().GetSHA(),
		Merged:  pr.GetMerged(),
		URL:     pr.GetHTMLURL(),
		Body:    pr.GetBody(),
	}
	if out.Merged {
		out.MergeSHA = pr.GetMergeCommitSHA()
	}
	return out
}

func parsePush(body []byte) (bot.Event, error) {
	var p gh.PushEvent
	if err := json.Unmarshal(body, &p); err != nil {
		return bot.Event{}, err
	}
	if p.Repo == nil {
		return bot.Event{}, fmt.Errorf("payload has no repository")
	}
	branch, ok := strings.CutPrefix(p.GetRef(), "refs/heads/")
	if !ok || branch == "" {
		return ignored(fmt.Sprintf("push to %s is not to a branch", p.GetRef())), nil
	}
	if p.GetDeleted() || p.GetAfter() == zeroSHA {
		return ignored(fmt.Sprintf("push deleted branch %s", branch)), nil
	}
	repo := &gh.Repository{FullName: p.GetRepo().FullName}
	ev := withRepo(bot.Event{Kind: bot.EventPush}, repo, p.Sender)
	if ev.Sender == "" {
		ev.Sender = p.GetPusher().GetName()
	}
	ev.Ref, ev.Before, ev.After = branch, p.GetBefore(), p.GetAfter()
	return ev, nil
}

func parseIssueComment(body []byte) (bot.Event, error) {
	var p gh.IssueCommentEvent
	if err := json.Unmarshal(body, &p); err != nil {
		return bot.Event{}, err
	}
	if p.Issue == nil || p.Comment == nil || p.Repo == nil {
		return bot.Event{}, fmt.Errorf("payload has no issue, comment or repository")
	}
	if action := p.GetAction(); action != "created" {
		return ignored(fmt.Sprintf("comment %d was %s; only new comments are read", p.Comment.GetID(), action)), nil
	}
	if !p.Issue.IsPullRequest() {
		return ignored(fmt.Sprintf("comment %d is on issue #%d, not a pull request", p.Comment.GetID(), p.Issue.GetNumber())), nil
	}
	ev := withRepo(bot.Event{Kind: bot.EventComment}, p.Repo, p.Sender)
	// The payload does not carry the head sha; the bot fetches it.
	ev.PR = &bot.PR{
		Number: p.Issue.GetNumber(),
		Title:  p.Issue.GetTitle(),
		Author: p.Issue.GetUser().GetLogin(),
		URL:    p.Issue.GetPullRequestLinks().GetHTMLURL(),
		Body:   p.Issue.GetBody(),
	}
	ev.Comment = comment(p.Comment)
	return ev, nil
}

// comment converts go-github's issue comment to the bot's.
func comment(c *gh.IssueComment) *bot.Comment {
	return &bot.Comment{
		ID:     strconv.FormatInt(c.GetID(), 10),
		Author: c.GetUser().GetLogin(),
		Body:   c.GetBody(),
		Bot:    isBot(c.GetUser()),
	}
}

// isBot is true for GitHub Apps and bot accounts.
func isBot(u *gh.User) bool {
	return u.GetType() == "Bot" || strings.HasSuffix(u.GetLogin(), "[bot]")
}
