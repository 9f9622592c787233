package bot_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
)

// git runs git in the example repository and returns its trimmed output.
func (f *fixture) git(args ...string) string {
	f.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = f.ex.Dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		f.t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commitOn commits files (an empty content deletes the file) as one commit
// on branch, creating it from main when it does not exist, and returns the
// commit; main stays checked out.
func (f *fixture) commitOn(branch string, files map[string]string) string {
	f.t.Helper()
	if branch != examplerepo.MainBranch {
		if f.git("branch", "--list", branch) == "" {
			f.git("branch", branch, examplerepo.MainBranch)
		}
		f.git("checkout", "-q", branch)
		defer f.git("checkout", "-q", examplerepo.MainBranch)
	}
	for path, content := range files {
		p := filepath.Join(f.ex.Dir, filepath.FromSlash(path))
		if content == "" {
			if err := os.Remove(p); err != nil {
				f.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			f.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			f.t.Fatal(err)
		}
	}
	f.git("add", "-A")
	f.git("commit", "-q", "-m", "change on "+branch)
	return f.git("rev-parse", "HEAD")
}

// readFile returns a file of main's working tree.
func (f *fixture) readFile(path string) string {
	f.t.Helper()
	data, err := os.ReadFile(filepath.Join(f.ex.Dir, filepath.FromSlash(path)))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}

// setPR registers pull request n from branch on the double, at the
// branch's head, with the host's file list from Git unless files are
// given; it returns the head.
func (f *fixture) setPR(n int, author, branch string, files ...string) string {
	f.t.Helper()
	head := f.git("rev-parse", branch)
	base := f.git("rev-parse", examplerepo.MainBranch)
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: n, Title: "change " + branch, Author: author,
		Head: branch, Base: examplerepo.MainBranch, HeadSHA: head, BaseSHA: base})
	if len(files) == 0 {
		files = strings.Fields(f.git("diff", "--name-only", base+"..."+head))
	}
	var list []hostfake.File
	for _, p := range files {
		list = append(list, hostfake.File{Path: p, Status: "modified"})
	}
	f.gh.SetFiles(exampleRepo, n, list...)
	return head
}

// openPR registers pull request n (see setPR), delivers its opening and
// runs the diff; it returns the head.
func (f *fixture) openPR(n int, author, branch string, files ...string) string {
	f.t.Helper()
	head := f.setPR(n, author, branch, files...)
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.opened", Number: n, HeadSHA: head, HeadRef: branch,
		BaseSHA: f.git("rev-parse", examplerepo.MainBranch), BaseRef: examplerepo.MainBranch, Sender: author}, http.StatusAccepted)
	if got := f.run(); got != 1 {
		f.t.Fatalf("jobs run on opening #%d = %d; want 1", n, got)
	}
	return head
}

// commandOn comments body on pull request n as author, runs the command
// and returns gitwave's answer.
func (f *fixture) commandOn(n int, author, body string) string {
	f.t.Helper()
	id := f.gh.AddComment(exampleRepo, n, hostfake.Comment{Author: author, Body: body})
	f.webhook(hostfake.GitHubWebhook{Example: "issue_comment.created", Number: n, CommentID: id, CommentBody: body,
		Sender: author, SenderType: "User"}, http.StatusAccepted)
	if got := f.run(); got != 1 {
		f.t.Fatalf("jobs run for %q = %d; want 1", body, got)
	}
	return f.newestReply(n)
}

// newestReply is gitwave's newest comment on pull request n.
func (f *fixture) newestReply(n int) string {
	f.t.Helper()
	cs := f.botComments(n)
	if len(cs) == 0 {
		f.t.Fatalf("gitwave posted nothing on #%d", n)
	}
	return cs[len(cs)-1]
}

// mergedAs records pull request n from branch as merged into main at
// mergeSHA, delivers the merge, runs it and returns gitwave's answer.
func (f *fixture) mergedAs(n int, author, branch, prHead, mergeSHA string) string {
	f.t.Helper()
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: n, Title: "change " + branch, Author: author,
		Head: branch, Base: examplerepo.MainBranch, HeadSHA: prHead, BaseSHA: f.ex.BaseSHA, State: "closed",
		Merged: true, MergeSHA: mergeSHA})
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.closed", Number: n, HeadSHA: prHead, HeadRef: branch,
		BaseSHA: f.ex.BaseSHA, BaseRef: examplerepo.MainBranch, Merged: true, MergeSHA: mergeSHA, Sender: author}, http.StatusAccepted)
	if got := f.run(); got != 1 {
		f.t.Fatalf("jobs run on merging #%d = %d; want 1", n, got)
	}
	return f.newestReply(n)
}
