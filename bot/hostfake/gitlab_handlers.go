package hostfake

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// GitLabMaxNoteLength is the longest note body GitLab accepts.
const GitLabMaxNoteLength = 1000000

// routes serves the endpoints the adapter calls, under gitlabAPIRoot.
func (g *GitLab) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern string, h handlerFunc) {
		method, path, _ := strings.Cut(pattern, " ")
		mux.HandleFunc(method+" "+gitlabAPIRoot+path, func(w http.ResponseWriter, r *http.Request) {
			token := r.Header.Get("PRIVATE-TOKEN")
			if subtle.ConstantTimeCompare([]byte(token), g.Token) != 1 {
				writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "401 Unauthorized"})
				return
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			h(w, r)
		})
	}
	const mr = "/projects/{id}/merge_requests/{iid}"
	handle("GET /user", g.currentUser)
	handle("GET /users", g.listUsers)
	handle("GET /groups/{id}/members/all/{user}", g.inheritedMember)
	handle("GET "+mr+"/notes", g.listNotes)
	handle("POST "+mr+"/notes", g.createNote)
	handle("PUT "+mr+"/notes/{note}", g.updateNote)
	handle("POST "+mr+"/notes/{note}/award_emoji", g.awardEmoji)
	handle("POST /projects/{id}/statuses/{sha}", g.setStatus)
	handle("GET "+mr+"/diffs", g.listDiffs)
	handle("GET "+mr, g.getMergeRequest)
	handle("POST /projects/{id}/merge_requests", g.createMergeRequest)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { glNotFound(w, "") })
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		g.record(r, strings.TrimPrefix(r.URL.EscapedPath(), gitlabAPIRoot))
		mux.ServeHTTP(w, r)
	})
}

// glNotFound answers GitLab's 404, "404 Project Not Found" and the like.
func glNotFound(w http.ResponseWriter, what string) {
	msg := "404 Not found"
	if what != "" {
		msg = "404 " + what + " Not Found"
	}
	writeJSON(w, http.StatusNotFound, map[string]string{"message": msg})
}

// glPage writes GitLab's pagination headers and returns the page.
func glPage[T any](w http.ResponseWriter, r *http.Request, items []T) []T {
	page, n, pages := pageOf(r, items, 20)
	size := max(len(page), 1)
	if pp := atoiOr(r.URL.Query().Get("per_page"), 20); pp > 0 {
		size = min(pp, 100)
	}
	h := w.Header()
	h.Set("X-Page", strconv.Itoa(n))
	h.Set("X-Per-Page", strconv.Itoa(size))
	h.Set("X-Total", strconv.Itoa(len(items)))
	h.Set("X-Total-Pages", strconv.Itoa(pages))
	h.Set("X-Next-Page", "")
	h.Set("X-Prev-Page", "")
	if n < pages {
		h.Set("X-Next-Page", strconv.Itoa(n+1))
	}
	if n > 1 {
		h.Set("X-Prev-Page", strconv.Itoa(n-1))
	}
	if link := linkHeader(r, n, pages); link != "" {
		h.Set("Link", link)
	}
	return page
}

func (g *GitLab) renderUser(r *http.Request, username string) map[string]any {
	u := g.users[username]
	body := template("gitlab/api/user.json")
	body["id"], body["username"], body["name"] = u.id, username, username
	body["web_url"] = "http://" + r.Host + "/" + username
	body["bot"] = u.bot
	delete(body, "public_email")
	return body
}

func (g *GitLab) currentUser(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, g.renderUser(r, GitLabUsername))
}

func (g *GitLab) listUsers(w http.ResponseWriter, r *http.Request) {
	out := []any{}
	name := r.URL.Query().Get("username")
	if g.users[name] != nil {
		out = append(out, g.renderUser(r, name))
	}
	writeJSON(w, http.StatusOK, glPage(w, r, out))
}

func (g *GitLab) inheritedMember(w http.ResponseWriter, r *http.Request) {
	group := r.PathValue("id")
	if g.groups[group] == nil {
		glNotFound(w, "Group")
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("user"), 10, 64)
	for _, ancestor := range ancestors(group) {
		if !g.groups[ancestor][id] {
			continue
		}
		for name, u := range g.users {
			if u.id == id {
				body := template("gitlab/api/group-member.json")
				body["id"], body["username"], body["name"] = id, name, name
				writeJSON(w, http.StatusOK, body)
				return
			}
		}
	}
	glNotFound(w, "")
}

// mergeRequest finds the project and merge request named by the path,
// answering 404 if either is missing.
func (g *GitLab) mergeRequest(w http.ResponseWriter, r *http.Request) (*glProject, *PullRequest, bool) {
	p := g.project(r.PathValue("id"))
	if p == nil {
		glNotFound(w, "Project")
		return nil, nil, false
	}
	iid, _ := strconv.Atoi(r.PathValue("iid"))
	mr := p.mrs[iid]
	if mr == nil {
		glNotFound(w, "")
		return nil, nil, false
	}
	return p, mr, true
}

func (g *GitLab) listNotes(w http.ResponseWriter, r *http.Request) {
	p, mr, ok := g.mergeRequest(w, r)
	if !ok {
		return
	}
	ids := append([]int64(nil), p.notes[mr.Number]...)
	if r.URL.Query().Get("sort") != "asc" { // GitLab's default is newest first
		for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
			ids[i], ids[j] = ids[j], ids[i]
		}
	}
	out := []any{}
	for _, id := range glPage(w, r, ids) {
		out = append(out, g.renderNote(p, g.notes[id]))
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *GitLab) renderNote(p *glProject, n *glNote) map[string]any {
	body := template("gitlab/api/note.json")
	body["id"], body["body"], body["system"] = n.ID, n.Body, n.System
	body["noteable_iid"], body["project_id"] = n.iid, p.id
	body["created_at"] = n.at.Format(time.RFC3339)
	body["updated_at"] = n.at.Format(time.RFC3339)
	set(body, "author.username", n.Author)
	set(body, "author.name", n.Author)
	if u := g.users[n.Author]; u != nil {
		set(body, "author.id", u.id)
	}
	return body
}

// noteBody reads {"body": ...} and enforces GitLab's length limit.
func noteBody(w http.ResponseWriter, r *http.Request) (string, bool) {
	var in struct {
		Body string `json:"body"`
	}
	if err := decodeBody(r, &in); err != nil || in.Body == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body is missing"})
		return "", false
	}
	if utf8.RuneCountInString(in.Body) > GitLabMaxNoteLength {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"message": map[string][]string{"note": {"is too long (maximum is 1000000 characters)"}},
		})
		return "", false
	}
	return in.Body, true
}

func (g *GitLab) createNote(w http.ResponseWriter, r *http.Request) {
	p, mr, ok := g.mergeRequest(w, r)
	if !ok {
		return
	}
	body, ok := noteBody(w, r)
	if !ok {
		return
	}
	id := g.addNoteLocked(p, mr.Number, Comment{Author: GitLabUsername, Body: body})
	writeJSON(w, http.StatusCreated, g.renderNote(p, g.notes[id]))
}

// note finds the note named by the path on the merge request.
func (g *GitLab) note(w http.ResponseWriter, r *http.Request) (*glProject, *glNote, bool) {
	p, mr, ok := g.mergeRequest(w, r)
	if !ok {
		return nil, nil, false
	}
	id, _ := strconv.ParseInt(r.PathValue("note"), 10, 64)
	n := g.notes[id]
	if n == nil || n.project != p.path || n.iid != mr.Number {
		glNotFound(w, "Note")
		return nil, nil, false
	}
	return p, n, true
}

func (g *GitLab) updateNote(w http.ResponseWriter, r *http.Request) {
	p, n, ok := g.note(w, r)
	if !ok {
		return
	}
	if n.Author != GitLabUsername {
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "403 Forbidden"})
		return
	}
	body, ok := noteBody(w, r)
	if !ok {
		return
	}
	n.Body = body
	writeJSON(w, http.StatusOK, g.renderNote(p, n))
}

func (g *GitLab) awardEmoji(w http.ResponseWriter, r *http.Request) {
	_, n, ok := g.note(w, r)
	if !ok {
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeBody(r, &in); err != nil || in.Name == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "name is missing"})
		return
	}
	g.awards[n.ID] = append(g.awards[n.ID], Reaction{Content: in.Name, User: GitLabUsername})
	body := template("gitlab/api/award-emoji.json")
	g.nextID++
	body["id"], body["name"], body["awardable_id"] = g.nextID, in.Name, n.ID
	set(body, "user.username", GitLabUsername)
	writeJSON(w, http.StatusCreated, body)
}
