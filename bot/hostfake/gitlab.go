package hostfake

import (
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"
)

// GitLabUsername is the token's user in the GitLab double: a service
// account whose name does not look like a bot's, so that the adapter must
// recognise its own notes by asking GET /user.
const GitLabUsername = "gitwave"

// gitlabAPIRoot is where GitLab serves its REST API.
const gitlabAPIRoot = "/api/v4"

// GitLab is a self-managed GitLab double reached with one access token.
type GitLab struct {
	// URL is the instance root, for gitlab.Options.BaseURL.
	URL string
	// Token is the access token the double accepts in PRIVATE-TOKEN.
	Token []byte
	// WebhookSecret is the webhook's secret token.
	WebhookSecret []byte

	recorder

	mu       sync.Mutex
	nextID   int64
	projects map[string]*glProject
	notes    map[int64]*glNote
	awards   map[int64][]Reaction
	statuses map[string][]Status
	users    map[string]*glUser
	groups   map[string]map[int64]bool // group full path -> direct member ids
	delivery int
}

type glProject struct {
	id     int64
	path   string
	mrs    map[int]*PullRequest
	notes  map[int][]int64
	diffs  map[int][]File
	update map[int]time.Time
}

type glNote struct {
	Comment
	project string
	iid     int
	at      time.Time
}

type glUser struct {
	id  int64
	bot bool
}

// NewGitLab starts a GitLab double, stopped when the test ends.
func NewGitLab(t T) *GitLab {
	t.Helper()
	g := &GitLab{
		Token:         []byte("glpat-hostfake-token"),
		WebhookSecret: []byte("hostfake-gitlab-webhook-secret"),
		nextID:        1000,
		projects:      map[string]*glProject{},
		notes:         map[int64]*glNote{},
		awards:        map[int64][]Reaction{},
		statuses:      map[string][]Status{},
		users:         map[string]*glUser{},
		groups:        map[string]map[int64]bool{},
	}
	g.addUserLocked(GitLabUsername, false)
	srv := httptest.NewServer(g.routes())
	t.Cleanup(srv.Close)
	g.URL = srv.URL + "/"
	return g
}

// AddProject makes a project ("group/sub/project") exist and returns its id.
func (g *GitLab) AddProject(path string) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	g.projects[path] = &glProject{
		id: g.nextID, path: path,
		mrs: map[int]*PullRequest{}, notes: map[int][]int64{}, diffs: map[int][]File{}, update: map[int]time.Time{},
	}
	return g.nextID
}

// AddMergeRequest adds an open merge request to a project and returns it;
// a zero Number takes the next free iid, an existing Number replaces that
// merge request, empty shas are derived from the branch names.
func (g *GitLab) AddMergeRequest(project string, mr PullRequest) PullRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addMergeRequestLocked(g.mustProject(project), mr)
}

func (g *GitLab) addMergeRequestLocked(p *glProject, mr PullRequest) PullRequest {
	if mr.Number == 0 {
		mr.Number = len(p.mrs) + 1
		for p.mrs[mr.Number] != nil {
			mr.Number++
		}
	}
	if mr.HeadSHA == "" {
		mr.HeadSHA = fakeSHA(mr.Head)
	}
	if mr.BaseSHA == "" {
		mr.BaseSHA = fakeSHA(mr.Base)
	}
	if mr.State == "" {
		mr.State = "opened"
	}
	if mr.Author != "" && g.users[mr.Author] == nil {
		g.addUserLocked(mr.Author, false)
	}
	p.mrs[mr.Number] = &mr
	return mr
}

// SetDiffs sets the files a merge request changes.
func (g *GitLab) SetDiffs(project string, iid int, files ...File) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.mustProject(project).diffs[iid] = append([]File(nil), files...)
}

// AddNote adds a note to a merge request as c.Author and returns its id.
func (g *GitLab) AddNote(project string, iid int, c Comment) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addNoteLocked(g.mustProject(project), iid, c)
}

func (g *GitLab) addNoteLocked(p *glProject, iid int, c Comment) int64 {
	g.nextID++
	c.ID = g.nextID
	// Notes are a second apart so that sorting by created_at is stable.
	at := p.update[iid].Add(time.Second)
	if at.Before(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
		at = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	p.update[iid] = at
	g.notes[c.ID] = &glNote{Comment: c, project: p.path, iid: iid, at: at}
	p.notes[iid] = append(p.notes[iid], c.ID)
	return c.ID
}

// AddUser makes a user exist (a bot user when bot) and returns its id.
func (g *GitLab) AddUser(username string, bot bool) int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.addUserLocked(username, bot)
}

func (g *GitLab) addUserLocked(username string, bot bool) int64 {
	if u := g.users[username]; u != nil {
		return u.id
	}
	g.nextID++
	g.users[username] = &glUser{id: g.nextID, bot: bot}
	return g.nextID
}

// AddGroupMember makes a group exist and username a direct member of it;
// an empty username only creates the group.
func (g *GitLab) AddGroupMember(group, username string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.groups[group] == nil {
		g.groups[group] = map[int64]bool{}
	}
	if username != "" {
		g.groups[group][g.addUserLocked(username, false)] = true
	}
}

// Comments returns a merge request's notes, oldest first, system notes
// included.
func (g *GitLab) Comments(project string, iid int) []Comment {
	g.mu.Lock()
	defer g.mu.Unlock()
	p := g.projects[project]
	if p == nil {
		return nil
	}
	var out []Comment
	for _, id := range p.notes[iid] {
		out = append(out, g.notes[id].Comment)
	}
	return out
}

// Statuses returns the statuses set on sha in a project, oldest first.
func (g *GitLab) Statuses(project, sha string) []Status {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Status(nil), g.statuses[project+"@"+sha]...)
}

// Reactions returns the award emoji on a note.
func (g *GitLab) Reactions(noteID int64) []Reaction {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Reaction(nil), g.awards[noteID]...)
}

// PullRequests returns a project's merge requests by iid.
func (g *GitLab) PullRequests(project string) []PullRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []PullRequest
	if p := g.projects[project]; p != nil {
		for _, mr := range p.mrs {
			out = append(out, *mr)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

func (g *GitLab) mustProject(path string) *glProject {
	p := g.projects[path]
	if p == nil {
		panic("hostfake: project " + path + " was not added with AddProject")
	}
	return p
}

// project finds a project by numeric id or full path.
func (g *GitLab) project(id string) *glProject {
	if p := g.projects[id]; p != nil {
		return p
	}
	for _, p := range g.projects {
		if id == itoa64(p.id) {
			return p
		}
	}
	return nil
}

// ancestors lists a path's parent namespaces, outermost first.
func ancestors(path string) []string {
	parts := strings.Split(path, "/")
	var out []string
	for i := 1; i <= len(parts); i++ {
		out = append(out, strings.Join(parts[:i], "/"))
	}
	return out
}
