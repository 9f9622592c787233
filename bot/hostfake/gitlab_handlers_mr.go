package hostfake

import (
	"net/http"
	"strconv"
	"time"
)

// glStates are the commit status states GitLab accepts.
var glStates = map[string]string{
	"pending": "enqueue", "running": "run", "success": "succeed", "failed": "drop", "canceled": "cancel",
}

func (g *GitLab) setStatus(w http.ResponseWriter, r *http.Request) {
	p := g.project(r.PathValue("id"))
	if p == nil {
		glNotFound(w, "Project")
		return
	}
	var in struct {
		State       string `json:"state"`
		Name        string `json:"name"`
		Context     string `json:"context"`
		Description string `json:"description"`
		TargetURL   string `json:"target_url"`
	}
	if err := decodeBody(r, &in); err != nil || glStates[in.State] == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "state does not have a valid value"})
		return
	}
	if in.Name == "" {
		in.Name = in.Context
	}
	if in.Name == "" {
		in.Name = "default"
	}
	key := p.path + "@" + r.PathValue("sha")
	// GitLab refuses to move a pending or running status to the same state.
	for i := len(g.statuses[key]) - 1; i >= 0; i-- {
		prev := g.statuses[key][i]
		if prev.Context != in.Name {
			continue
		}
		if prev.State == in.State && (in.State == "pending" || in.State == "running") {
			writeJSON(w, http.StatusBadRequest, map[string]string{
				"message": "Cannot transition status via :" + glStates[in.State] + " from :" + prev.State,
			})
			return
		}
		break
	}
	g.statuses[key] = append(g.statuses[key], Status{
		Context: in.Name, State: in.State, Description: in.Description, TargetURL: in.TargetURL,
	})
	body := template("gitlab/api/commit-status.json")
	g.nextID++
	body["id"], body["name"], body["status"], body["sha"] = g.nextID, in.Name, in.State, r.PathValue("sha")
	body["description"], body["target_url"] = nilIfEmpty(in.Description), nilIfEmpty(in.TargetURL)
	set(body, "author.username", GitLabUsername)
	writeJSON(w, http.StatusCreated, body)
}

func (g *GitLab) listDiffs(w http.ResponseWriter, r *http.Request) {
	p, mr, ok := g.mergeRequest(w, r)
	if !ok {
		return
	}
	out := []any{}
	for _, f := range glPage(w, r, p.diffs[mr.Number]) {
		body := template("gitlab/api/merge-request-diff.json")
		old := f.Path
		if f.PreviousPath != "" {
			old = f.PreviousPath
		}
		body["old_path"], body["new_path"] = old, f.Path
		body["new_file"] = f.Status == "added"
		body["renamed_file"] = f.Status == "renamed"
		body["deleted_file"] = f.Status == "removed"
		out = append(out, body)
	}
	writeJSON(w, http.StatusOK, out)
}

func (g *GitLab) getMergeRequest(w http.ResponseWriter, r *http.Request) {
	p, mr, ok := g.mergeRequest(w, r)
	if ok {
		writeJSON(w, http.StatusOK, g.renderMergeRequest(r, p, mr))
	}
}

func (g *GitLab) createMergeRequest(w http.ResponseWriter, r *http.Request) {
	p := g.project(r.PathValue("id"))
	if p == nil {
		glNotFound(w, "Project")
		return
	}
	var in struct {
		Title        string `json:"title"`
		Description  string `json:"description"`
		SourceBranch string `json:"source_branch"`
		TargetBranch string `json:"target_branch"`
	}
	if err := decodeBody(r, &in); err != nil || in.Title == "" || in.SourceBranch == "" || in.TargetBranch == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "title, source_branch, target_branch are missing"})
		return
	}
	for _, mr := range p.mrs {
		if mr.State == "opened" && mr.Head == in.SourceBranch && mr.Base == in.TargetBranch {
			writeJSON(w, http.StatusConflict, map[string][]string{"message": {
				"Another open merge request already exists for this source branch: !" + strconv.Itoa(mr.Number),
			}})
			return
		}
	}
	mr := g.addMergeRequestLocked(p, PullRequest{
		Title: in.Title, Body: in.Description, Head: in.SourceBranch, Base: in.TargetBranch, Author: GitLabUsername,
	})
	writeJSON(w, http.StatusCreated, g.renderMergeRequest(r, p, &mr))
}

func (g *GitLab) renderMergeRequest(r *http.Request, p *glProject, mr *PullRequest) map[string]any {
	body := template("gitlab/api/merge-request.json")
	g.nextID++
	body["id"], body["iid"], body["project_id"] = g.nextID, mr.Number, p.id
	body["source_project_id"], body["target_project_id"] = p.id, p.id
	body["title"], body["description"], body["state"] = mr.Title, mr.Body, mr.State
	body["source_branch"], body["target_branch"] = mr.Head, mr.Base
	body["sha"], body["merge_commit_sha"] = mr.HeadSHA, nilIfEmpty(mr.MergeSHA)
	body["web_url"] = "http://" + r.Host + "/" + p.path + "/-/merge_requests/" + strconv.Itoa(mr.Number)
	body["reference"] = "!" + strconv.Itoa(mr.Number)
	body["created_at"] = time.Now().UTC().Format(time.RFC3339)
	body["diff_refs"] = map[string]any{"base_sha": mr.BaseSHA, "head_sha": mr.HeadSHA, "start_sha": mr.BaseSHA}
	set(body, "author.username", mr.Author)
	set(body, "author.name", mr.Author)
	if u := g.users[mr.Author]; u != nil {
		set(body, "author.id", u.id)
	}
	return body
}
