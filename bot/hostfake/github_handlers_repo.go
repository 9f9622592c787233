package hostfake

import (
	"net/http"
	"strconv"
	"time"
)

// statusStates are the commit status states GitHub accepts.
var statusStates = map[string]bool{"error": true, "failure": true, "pending": true, "success": true}

func (g *GitHub) createStatus(w http.ResponseWriter, r *http.Request) {
	name, _, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	var in struct {
		State       string `json:"state"`
		TargetURL   string `json:"target_url"`
		Description string `json:"description"`
		Context     string `json:"context"`
	}
	if err := decodeBody(r, &in); err != nil || !statusStates[in.State] {
		ghValidation(w, "Status", "state", "state is not included in the list")
		return
	}
	if in.Context == "" {
		in.Context = "default"
	}
	sha := r.PathValue("sha")
	s := Status{Context: in.Context, State: in.State, Description: in.Description, TargetURL: in.TargetURL}
	g.statuses[name+"@"+sha] = append(g.statuses[name+"@"+sha], s)
	body := template("github/api/status.json")
	g.nextID++
	body["id"] = g.nextID
	body["state"], body["context"], body["description"] = s.State, s.Context, s.Description
	body["target_url"] = s.TargetURL
	body["url"] = "http://" + r.Host + githubAPIRoot + "/repos/" + name + "/statuses/" + sha
	set(body, "creator.login", GitHubAppSlug+"[bot]")
	set(body, "creator.type", "Bot")
	writeJSON(w, http.StatusCreated, body)
}

func (g *GitHub) listFiles(w http.ResponseWriter, r *http.Request) {
	name, repo, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	pr, ok := g.pull(w, r, repo)
	if !ok {
		return
	}
	page, n, pages := pageOf(r, repo.files[pr.Number], 30)
	out := make([]any, 0, len(page))
	for _, f := range page {
		body := template("github/api/diff-entry.json")
		body["filename"] = f.Path
		body["status"] = f.Status
		body["sha"] = fakeSHA(name + f.Path)
		delete(body, "previous_filename")
		if f.PreviousPath != "" {
			body["previous_filename"] = f.PreviousPath
		}
		out = append(out, body)
	}
	if link := linkHeader(r, n, pages); link != "" {
		w.Header().Set("Link", link)
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *GitHub) getPull(w http.ResponseWriter, r *http.Request) {
	name, repo, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	if pr, ok := g.pull(w, r, repo); ok {
		writeJSON(w, http.StatusOK, renderPull(r, name, pr))
	}
}

func (g *GitHub) createPull(w http.ResponseWriter, r *http.Request) {
	name, repo, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	var in struct {
		Title, Head, Base, Body string
	}
	if err := decodeBody(r, &in); err != nil || in.Head == "" || in.Base == "" || in.Title == "" {
		ghValidation(w, "PullRequest", "head", "title, head and base are required")
		return
	}
	if in.Head == in.Base {
		ghValidation(w, "PullRequest", "base", "No commits between "+in.Base+" and "+in.Head)
		return
	}
	for _, pr := range repo.pulls {
		if pr.State == "open" && pr.Head == in.Head && pr.Base == in.Base {
			ghValidation(w, "PullRequest", "head", "A pull request already exists for "+in.Head+".")
			return
		}
	}
	pr := g.addPullLocked(repo, PullRequest{
		Title: in.Title, Body: in.Body, Head: in.Head, Base: in.Base, Author: GitHubAppSlug + "[bot]",
	})
	writeJSON(w, http.StatusCreated, renderPull(r, name, &pr))
}

func renderPull(r *http.Request, repo string, pr *PullRequest) map[string]any {
	body := template("github/api/pull-request.json")
	api := "http://" + r.Host + githubAPIRoot + "/repos/" + repo
	body["number"] = pr.Number
	body["title"], body["body"], body["state"] = pr.Title, pr.Body, pr.State
	body["url"] = api + "/pulls/" + strconv.Itoa(pr.Number)
	body["html_url"] = "https://github.example/" + repo + "/pull/" + strconv.Itoa(pr.Number)
	body["merged"] = pr.Merged
	body["merge_commit_sha"] = nilIfEmpty(pr.MergeSHA)
	body["created_at"] = time.Now().UTC().Format(time.RFC3339)
	set(body, "user.login", pr.Author)
	set(body, "head.ref", pr.Head)
	set(body, "head.sha", pr.HeadSHA)
	set(body, "head.label", owner(repo)+":"+pr.Head)
	set(body, "base.ref", pr.Base)
	set(body, "base.sha", pr.BaseSHA)
	set(body, "base.label", owner(repo)+":"+pr.Base)
	set(body, "head.repo.full_name", repo)
	set(body, "base.repo.full_name", repo)
	return body
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (g *GitHub) listTeams(w http.ResponseWriter, r *http.Request) {
	if !g.orgAuth(w, r) {
		return
	}
	org := r.PathValue("org")
	slugs := sortedKeys(g.teams[org])
	page, n, pages := pageOf(r, slugs, 30)
	out := make([]any, 0, len(page))
	for _, slug := range page {
		body := template("github/api/team.json")
		body["id"] = g.teams[org][slug].id
		body["slug"], body["name"] = slug, slug
		body["url"] = "http://" + r.Host + githubAPIRoot + "/orgs/" + org + "/teams/" + slug
		out = append(out, body)
	}
	if link := linkHeader(r, n, pages); link != "" {
		w.Header().Set("Link", link)
	}
	writeJSON(w, http.StatusOK, out)
}

// orgAuth admits installation requests for an organization the App is
// installed in.
func (g *GitHub) orgAuth(w http.ResponseWriter, r *http.Request) bool {
	inst, ok := g.installationAuth(w, r)
	if !ok {
		return false
	}
	for name, repo := range g.repos {
		if owner(name) == r.PathValue("org") && repo.installation == inst {
			return true
		}
	}
	ghError(w, http.StatusNotFound, "Not Found")
	return false
}

func (g *GitHub) getMembership(w http.ResponseWriter, r *http.Request) {
	if !g.orgAuth(w, r) {
		return
	}
	org, slug, user := r.PathValue("org"), r.PathValue("slug"), r.PathValue("username")
	team := g.teams[org][slug]
	if team == nil || team.members[user] == "" {
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	body := template("github/api/team-membership.json")
	body["role"] = "member"
	body["state"] = team.members[user]
	body["url"] = "http://" + r.Host + githubAPIRoot + "/teams/" + strconv.FormatInt(team.id, 10) + "/memberships/" + user
	writeJSON(w, http.StatusOK, body)
}
