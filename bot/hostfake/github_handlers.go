package hostfake

import (
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GitHubMaxCommentLength is the longest comment body GitHub accepts.
const GitHubMaxCommentLength = 65536

// routes serves the endpoints the adapter calls, under githubAPIRoot.
func (g *GitHub) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+githubAPIRoot+path, func(w http.ResponseWriter, r *http.Request) {
			g.mu.Lock()
			defer g.mu.Unlock()
			h(w, r)
		})
	}
	handle("POST /app/installations/{id}/access_tokens", g.createToken)
	handle("GET /repos/{owner}/{repo}/installation", g.getInstallation)
	handle("GET /repos/{owner}/{repo}/issues/{number}/comments", g.listComments)
	handle("POST /repos/{owner}/{repo}/issues/{number}/comments", g.createComment)
	handle("PATCH /repos/{owner}/{repo}/issues/comments/{id}", g.editComment)
	handle("POST /repos/{owner}/{repo}/issues/comments/{id}/reactions", g.createReaction)
	handle("POST /repos/{owner}/{repo}/statuses/{sha}", g.createStatus)
	handle("GET /repos/{owner}/{repo}/pulls/{number}/files", g.listFiles)
	handle("GET /repos/{owner}/{repo}/pulls/{number}", g.getPull)
	handle("POST /repos/{owner}/{repo}/pulls", g.createPull)
	handle("GET /orgs/{org}/teams", g.listTeams)
	handle("GET /orgs/{org}/teams/{slug}/memberships/{username}", g.getMembership)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ghError(w, http.StatusNotFound, "Not Found")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.record(r, strings.TrimPrefix(r.URL.EscapedPath(), githubAPIRoot))
		mux.ServeHTTP(w, r)
	})
}

func (g *GitHub) createToken(w http.ResponseWriter, r *http.Request) {
	if !g.appAuth(w, r) {
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if !g.hasInstallation(id) {
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	token, expires := g.mintToken(id)
	body := template("github/api/installation-token.json")
	body["token"] = token
	body["expires_at"] = expires.Format(time.RFC3339)
	body["repository_selection"] = "all"
	writeJSON(w, http.StatusCreated, body)
}

func (g *GitHub) hasInstallation(id int64) bool {
	for _, r := range g.repos {
		if r.installation == id {
			return true
		}
	}
	return false
}

func (g *GitHub) getInstallation(w http.ResponseWriter, r *http.Request) {
	if !g.appAuth(w, r) {
		return
	}
	repo := g.repos[r.PathValue("owner")+"/"+r.PathValue("repo")]
	if repo == nil {
		ghError(w, http.StatusNotFound, "Not Found")
		return
	}
	body := template("github/api/installation.json")
	body["id"] = repo.installation
	body["app_id"] = g.AppID
	body["app_slug"] = GitHubAppSlug
	set(body, "account.login", r.PathValue("owner"))
	body["access_tokens_url"] = "http://" + r.Host + githubAPIRoot + "/app/installations/" +
		strconv.FormatInt(repo.installation, 10) + "/access_tokens"
	writeJSON(w, http.StatusOK, body)
}

// pull finds the pull request named by the path, answering 404 if none.
func (g *GitHub) pull(w http.ResponseWriter, r *http.Request, repo *ghRepo) (*PullRequest, bool) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	pr := repo.pulls[n]
	if pr == nil {
		ghError(w, http.StatusNotFound, "Not Found")
		return nil, false
	}
	return pr, true
}

func (g *GitHub) listComments(w http.ResponseWriter, r *http.Request) {
	name, repo, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	pr, ok := g.pull(w, r, repo)
	if !ok {
		return
	}
	page, n, pages := pageOf(r, repo.issues[pr.Number], 30)
	out := make([]any, 0, len(page))
	for _, id := range page {
		out = append(out, g.renderComment(r, name, g.comments[id]))
	}
	if link := linkHeader(r, n, pages); link != "" {
		w.Header().Set("Link", link)
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *GitHub) createComment(w http.ResponseWriter, r *http.Request) {
	name, repo, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	pr, ok := g.pull(w, r, repo)
	if !ok {
		return
	}
	body, ok := commentBody(w, r)
	if !ok {
		return
	}
	id := g.addCommentLocked(name, repo, pr.Number, Comment{Author: GitHubAppSlug + "[bot]", Body: body, Bot: true})
	writeJSON(w, http.StatusCreated, g.renderComment(r, name, g.comments[id]))
}

// commentBody reads {"body": ...} and enforces GitHub's length limit.
func commentBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	if err := decodeBody(r, &in); err != nil || in.Body == nil {
		ghError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n\"body\" wasn't supplied.")
		return "", false
	}
	if utf8.RuneCountInString(*in.Body) > GitHubMaxCommentLength {
		ghValidation(w, "IssueComment", "body", "body is too long (maximum is 65536 characters)")
		return "", false
	}
	return *in.Body, true
}

func (g *GitHub) editComment(w http.ResponseWriter, r *http.Request) {
	name, _, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	c := g.commentIn(w, r, name)
	if c == nil {
		return
	}
	body, ok := commentBody(w, r)
	if !ok {
		return
	}
	c.Body = body
	writeJSON(w, http.StatusOK, g.renderComment(r, name, c))
}

// commentIn finds the comment named by the path in repo, answering 404 if
// none.
func (g *GitHub) commentIn(w http.ResponseWriter, r *http.Request, repo string) *ghComment {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	c := g.comments[id]
	if c == nil || c.repo != repo {
		ghError(w, http.StatusNotFound, "Not Found")
		return nil
	}
	return c
}

func (g *GitHub) renderComment(r *http.Request, repo string, c *ghComment) map[string]any {
	body := template("github/api/issue-comment.json")
	body["id"] = c.ID
	body["body"] = c.Body
	api := "http://" + r.Host + githubAPIRoot + "/repos/" + repo
	body["url"] = api + "/issues/comments/" + strconv.FormatInt(c.ID, 10)
	body["issue_url"] = api + "/issues/" + strconv.Itoa(c.number)
	body["html_url"] = "https://github.example/" + repo + "/pull/" + strconv.Itoa(c.number) +
		"#issuecomment-" + strconv.FormatInt(c.ID, 10)
	body["created_at"] = c.at.Format(time.RFC3339)
	body["updated_at"] = c.at.Format(time.RFC3339)
	set(body, "user.login", c.Author)
	set(body, "user.type", userType(c.Bot))
	return body
}

func userType(bot bool) string {
	if bot {
		return "Bot"
	}
	return "User"
}

// reactionContents are the reactions GitHub accepts.
var reactionContents = map[string]bool{
	"+1": true, "-1": true, "laugh": true, "confused": true,
	"heart": true, "hooray": true, "rocket": true, "eyes": true,
}

func (g *GitHub) createReaction(w http.ResponseWriter, r *http.Request) {
	name, _, ok := g.repoAuth(w, r)
	if !ok {
		return
	}
	c := g.commentIn(w, r, name)
	if c == nil {
		return
	}
	var in struct {
		Content string `json:"content"`
	}
	if err := decodeBody(r, &in); err != nil || !reactionContents[in.Content] {
		ghValidation(w, "Reaction", "content", "content is not included in the list")
		return
	}
	user := GitHubAppSlug + "[bot]"
	code := http.StatusCreated
	for _, existing := range g.reactions[c.ID] {
		if existing == (Reaction{Content: in.Content, User: user}) {
			code = http.StatusOK // GitHub answers 200 for a reaction already there
		}
	}
	if code == http.StatusCreated {
		g.reactions[c.ID] = append(g.reactions[c.ID], Reaction{Content: in.Content, User: user})
	}
	body := template("github/api/reaction.json")
	g.nextID++
	body["id"] = g.nextID
	body["content"] = in.Content
	set(body, "user.login", user)
	set(body, "user.type", "Bot")
	writeJSON(w, code, body)
}
