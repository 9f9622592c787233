package bot

import (
	"context"
	"net/http"
	"time"
)

// Host is what the bot asks of a Git host (GitHub or GitLab). Each adapter
// (bot/github, bot/gitlab) implements it; tests use the adapters against the
// hosts' test doubles (bot/hostfake), never a mock of this interface.
type Host interface {
	// Name is "github" or "gitlab".
	Name() string
	// CheckHeaders refuses, from the headers alone, a request that cannot
	// be a signed delivery of this host: no signature or token, no event
	// name or delivery id. The server calls it before it reads the body.
	CheckHeaders(h http.Header) error
	// Verify checks a webhook's signature or token in constant time and
	// returns the delivery id and event name. It reads nothing else.
	Verify(r *http.Request, body []byte) (Delivery, error)
	// Parse turns a verified webhook body into an Event; an event the bot
	// does not act on gives Event{Kind: EventIgnored} and a reason.
	Parse(d Delivery, body []byte) (Event, error)
	Commenter
	StatusSetter
	// Groups returns the names among named (a policy's GroupNames) whose
	// team or group login is an active member of, spelled as in named. A
	// bare name is a team of the repository's GitHub organization, or a
	// subgroup of the GitLab project's top-level group; "org/team" on
	// GitHub and a full group path on GitLab name that team or group. Only
	// these are asked about. A failure to ask is an error, never an empty
	// answer.
	Groups(ctx context.Context, repo, login string, named []string) ([]string, error)
	// PullRequest reads a pull request: a comment event carries no head
	// sha, and a GitLab merge event may not name the author.
	PullRequest(ctx context.Context, repo string, number int) (PR, error)
	// OpenPR opens a pull (merge) request from head to base.
	OpenPR(ctx context.Context, repo string, pr NewPR) (PR, error)
	// CloneToken returns a short-lived token for cloning the repository
	// over https; "" when the URL needs none.
	CloneToken(ctx context.Context, repo string) (string, error)
}

// Commenter reads and writes pull request comments.
type Commenter interface {
	// Comments lists a pull request's comments, oldest first.
	Comments(ctx context.Context, repo string, pr int) ([]Comment, error)
	// CreateComment posts a comment and returns its id.
	CreateComment(ctx context.Context, repo string, pr int, body string) (string, error)
	// EditComment replaces a comment's body.
	EditComment(ctx context.Context, repo string, pr int, id, body string) error
	// React acknowledges a comment with an emoji reaction ("eyes", "+1",
	// "-1", "rocket").
	React(ctx context.Context, repo string, pr int, commentID, reaction string) error
}

// StatusSetter sets commit statuses.
type StatusSetter interface {
	SetStatus(ctx context.Context, repo, sha string, s Status) error
}

// Delivery identifies one webhook delivery.
type Delivery struct {
	Host  string
	ID    string // X-GitHub-Delivery, or GitLab's X-Gitlab-Event-UUID
	Event string // X-GitHub-Event, or X-Gitlab-Event
	At    time.Time
}

// EventKind is what happened, in the bot's words.
type EventKind string

// The events the bot acts on.
const (
	EventIgnored     EventKind = "ignored"
	EventPullRequest EventKind = "pull_request" // opened, reopened, pushed to
	EventMerged      EventKind = "merged"       // a pull request merged
	EventPush        EventKind = "push"         // a push to a branch
	EventComment     EventKind = "comment"      // a new comment on a pull request
)

// Event is a webhook as the bot sees it, whichever host sent it.
type Event struct {
	Kind EventKind `json:"kind"`
	// Reason says why an event is ignored.
	Reason string `json:"reason,omitempty"`
	// Action is the host's own word for what happened to a pull request
	// ("opened", "synchronize", "reopen", "merge" ...); part of what makes
	// two deliveries the same work.
	Action string `json:"action,omitempty"`
	// Repo is owner/name on GitHub, group/project on GitLab.
	Repo string `json:"repo"`
	PR   *PR    `json:"pr,omitempty"`
	// Ref and After are the pushed branch, as a bare name ("main", never
	// "refs/heads/main"), and its new head, for pushes.
	Ref   string `json:"ref,omitempty"`
	After string `json:"after,omitempty"`
	// Before is the branch's head before the push.
	Before string `json:"before,omitempty"`
	// Comment is the new comment, for comment events.
	Comment *Comment `json:"comment,omitempty"`
	// Sender is the login of who caused the event.
	Sender string `json:"sender"`
}

// PR is a pull request (GitHub) or merge request (GitLab).
type PR struct {
	Number   int    `json:"number"`
	Title    string `json:"title"`
	Author   string `json:"author"`
	HeadSHA  string `json:"headSHA"`
	HeadRef  string `json:"headRef"`
	BaseRef  string `json:"baseRef"`
	BaseSHA  string `json:"baseSHA,omitempty"`
	Merged   bool   `json:"merged"`
	MergeSHA string `json:"mergeSHA,omitempty"`
	URL      string `json:"url,omitempty"`
	Body     string `json:"body,omitempty"`
}

// NewPR is a pull request to open.
type NewPR struct {
	Head, Base, Title, Body string
}

// Comment is a pull request comment.
type Comment struct {
	ID     string `json:"id"`
	Author string `json:"author"`
	Body   string `json:"body"`
	// Bot is true for comments from bots and apps, gitwave included.
	Bot bool `json:"bot"`
}

// Status is a commit status.
type Status struct {
	Context     string // "gitwave/diff", "gitwave/policy", "gitwave/drift"
	State       string // pending, success, failure, error
	Description string // at most 140 characters on GitHub
	TargetURL   string
}
