package hostfake

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// GitHubAppSlug is the double's App: its comments and reactions are
// authored by GitHubAppSlug + "[bot]".
const GitHubAppSlug = "gitwave"

// githubAPIRoot is where the double serves the REST API, as GitHub
// Enterprise Server does.
const githubAPIRoot = "/api/v3"

// GitHub is a GitHub Enterprise Server double with one App installed.
type GitHub struct {
	// URL is the REST API root, for github.Options.BaseURL.
	URL string
	// AppID, PrivateKey (PEM) and WebhookSecret are the App's credentials.
	AppID         int64
	PrivateKey    []byte
	WebhookSecret []byte

	recorder
	key *rsa.PrivateKey

	mu        sync.Mutex
	tokenTTL  time.Duration
	minted    int
	tokens    map[string]ghToken
	repos     map[string]*ghRepo
	comments  map[int64]*ghComment
	reactions map[int64][]Reaction
	statuses  map[string][]Status
	teams     map[string]map[string]*ghTeam
	nextID    int64
	delivery  int
}

type ghToken struct {
	installation int64
	expires      time.Time
}

type ghRepo struct {
	installation int64
	pulls        map[int]*PullRequest
	files        map[int][]File
	issues       map[int][]int64 // comment ids per PR number
}

type ghComment struct {
	Comment
	repo   string
	number int
	at     time.Time
}

type ghTeam struct {
	id      int64
	members map[string]string // login -> state ("active", "pending")
}

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// appKey returns an RSA key shared by every double in the process:
// generating one per test would cost seconds under -race.
func appKey() *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("hostfake: generate the App key: " + err.Error())
		}
		testKey = k
	})
	return testKey
}

// NewGitHub starts a GitHub double, stopped when the test ends.
func NewGitHub(t T) *GitHub {
	t.Helper()
	key := appKey()
	g := &GitHub{
		AppID:         4242,
		PrivateKey:    pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
		WebhookSecret: []byte("hostfake-github-webhook-secret"),
		key:           key,
		tokenTTL:      time.Hour,
		tokens:        map[string]ghToken{},
		repos:         map[string]*ghRepo{},
		comments:      map[int64]*ghComment{},
		reactions:     map[int64][]Reaction{},
		statuses:      map[string][]Status{},
		teams:         map[string]map[string]*ghTeam{},
		nextID:        1000,
	}
	srv := httptest.NewServer(g.routes())
	t.Cleanup(srv.Close)
	g.URL = srv.URL + githubAPIRoot + "/"
	return g
}

// AddRepo makes repo ("owner/name") exist, with the App installed on it
// under installation id.
func (g *GitHub) AddRepo(repo string, installation int64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.repos[repo] = &ghRepo{
		installation: installation,
		pulls:        map[int]*PullRequest{},
		files:        map[int][]File{},
		issues:       map[int][]int64{},
	}
}

// AddPullRequest adds an open pull request to repo (added with AddRepo)
// and returns it; a zero Number takes the next free one, an existing Number
// replaces that pull request (to move its head or merge it), empty shas are
// derived from the branch names.
func (g *GitHub) AddPullRequest(repo string, pr PullRequest) PullRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addPullLocked(g.mustRepo(repo), pr)
}

func (g *GitHub) addPullLocked(r *ghRepo, pr PullRequest) PullRequest {
	if pr.Number == 0 {
		pr.Number = len(r.pulls) + 1
		for r.pulls[pr.Number] != nil {
			pr.Number++
		}
	}
	if pr.HeadSHA == "" {
		pr.HeadSHA = fakeSHA(pr.Head)
	}
	if pr.BaseSHA == "" {
		pr.BaseSHA = fakeSHA(pr.Base)
	}
	if pr.State == "" {
		pr.State = "open"
	}
	r.pulls[pr.Number] = &pr
	return pr
}

// SetFiles sets the files a pull request changes.
func (g *GitHub) SetFiles(repo string, number int, files ...File) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mustRepo(repo).files[number] = append([]File(nil), files...)
}

// AddComment adds a comment to a pull request as c.Author (a Bot when
// c.Bot) and returns its id.
func (g *GitHub) AddComment(repo string, number int, c Comment) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addCommentLocked(repo, g.mustRepo(repo), number, c)
}

func (g *GitHub) addCommentLocked(repo string, r *ghRepo, number int, c Comment) int64 {
	g.nextID++
	c.ID = g.nextID
	g.comments[c.ID] = &ghComment{Comment: c, repo: repo, number: number, at: time.Now().UTC()}
	r.issues[number] = append(r.issues[number], c.ID)
	return c.ID
}

// AddTeam adds a team to org with active members.
func (g *GitHub) AddTeam(org, slug string, members ...string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.teams[org] == nil {
		g.teams[org] = map[string]*ghTeam{}
	}
	g.nextID++
	team := &ghTeam{id: g.nextID, members: map[string]string{}}
	for _, m := range members {
		team.members[m] = "active"
	}
	g.teams[org][slug] = team
}

// InviteToTeam adds login to a team as a pending (invited, not yet
// accepted) member.
func (g *GitHub) InviteToTeam(org, slug, login string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.teams[org][slug].members[login] = "pending"
}

// SetTokenTTL sets how long installation tokens minted from now on live
// (an hour by default, as on GitHub).
func (g *GitHub) SetTokenTTL(d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.tokenTTL = d
}

// TokensMinted counts the installation tokens minted so far.
func (g *GitHub) TokensMinted() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.minted
}

// Comments returns a pull request's comments, oldest first.
func (g *GitHub) Comments(repo string, number int) []Comment {
	g.mu.Lock()
	defer g.mu.Unlock()
	r := g.repos[repo]
	if r == nil {
		return nil
	}
	var out []Comment
	for _, id := range r.issues[number] {
		out = append(out, g.comments[id].Comment)
	}
	return out
}

// Statuses returns the statuses set on sha in repo, oldest first.
func (g *GitHub) Statuses(repo, sha string) []Status {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Status(nil), g.statuses[repo+"@"+sha]...)
}

// Reactions returns the reactions on a comment.
func (g *GitHub) Reactions(commentID int64) []Reaction {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Reaction(nil), g.reactions[commentID]...)
}

// PullRequests returns repo's pull requests by number.
func (g *GitHub) PullRequests(repo string) []PullRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []PullRequest
	if r := g.repos[repo]; r != nil {
		for _, pr := range r.pulls {
			out = append(out, *pr)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (g *GitHub) mustRepo(repo string) *ghRepo {
	r := g.repos[repo]
	if r == nil {
		panic("hostfake: repository " + repo + " was not added with AddRepo")
	}
	return r
}

// owner returns the owner part of "owner/name".
func owner(repo string) string {
	o, _, _ := strings.Cut(repo, "/")
	return o
}

// handlerFunc is a route's handler; it runs with g.mu held.
type handlerFunc = func(w http.ResponseWriter, r *http.Request)
