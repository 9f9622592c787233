package bot_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/bot/markdown"
	"github.com/gitwave/gitwave/bot/markdown/markdowntest"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/store"
)

// hostileName tries every way out of a code span and an HTML block.
const hostileName = "cfg`![i](https://evil.example/i.png) [l](https://evil.example) @acme/platform-team </details><img src=x>`"

// hostileFile is hostileName as a path Git can hold (no empty component):
// gitwave reads a pull request's changed files from Git, not from the host.
var hostileFile = "apps/" + strings.ReplaceAll(hostileName, "//", "/") + ".yaml"

// pushToPR commits files (path to content) on the pull request's branch
// and delivers pull_request.synchronize for it, the host listing the same
// changed files as Git; it returns the new head.
func (f *fixture) pushToPR(files map[string]string) string {
	f.t.Helper()
	head := commitFiles(f.t, f, examplerepo.PRBranch, files)
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "bob",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: head, BaseSHA: f.ex.BaseSHA})
	listed := slices.Clone(f.ex.Changed)
	for p := range files {
		listed = append(listed, p)
	}
	slices.Sort(listed)
	var changed []hostfake.File
	for _, p := range slices.Compact(listed) {
		changed = append(changed, hostfake.File{Path: p, Status: "modified"})
	}
	f.gh.SetFiles(exampleRepo, 1, changed...)
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.synchronize", Number: 1, HeadSHA: head,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "bob"}, http.StatusAccepted)
	return head
}

// checkComments fails when a gitwave comment is over GitHub's limit or
// has live markup, and returns them.
func (f *fixture) checkComments(t *testing.T) []string {
	t.Helper()
	comments := f.botComments(1)
	if len(comments) == 0 {
		t.Fatal("gitwave posted no comment")
	}
	for i, c := range comments {
		if n := utf8.RuneCountInString(c); n > hostfake.GitHubMaxCommentLength {
			t.Errorf("comment %d has %d characters, over GitHub's limit", i+1, n)
		}
		if p := markdowntest.Problems(c); len(p) > 0 {
			t.Errorf("comment %d has live markup: %q", i+1, p)
		}
	}
	return comments
}

// TestHostileNamesStayInert: a ConfigMap named with a backtick, an image,
// a link, a team mention and </details>, and a file the pull request adds
// under the same name, stay text in gitwave's comment and its statuses.
func TestHostileNamesStayInert(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	tmpl := "apps/payment-service/templates/configmap.yaml"
	head := f.pushToPR(map[string]string{
		tmpl:        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + quoteYAML(hostileName) + "\ndata:\n  k: v\n",
		hostileFile: "k: v\n",
	})
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	body := strings.Join(f.checkComments(t), "\n")
	for _, want := range []string{"ConfigMap/payment-service/" + hostileName, hostileFile} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment does not show %q as text", want)
		}
	}
	pol := f.status(head, "gitwave/policy")
	if pol.State != "failure" || strings.ContainsAny(pol.Description, "\n\r") || utf8.RuneCountInString(pol.Description) > 140 {
		t.Errorf("gitwave/policy = %+v; want a failure on one line within 140 characters", pol)
	}
}

// TestOversizedErrorKeepsTheVerdict: a Helm template that fails with a
// 100,000-character message. The statuses are set, every comment is
// within GitHub's limit with the summary and the policy verdict in the
// first, and the job is done at the first attempt.
func TestOversizedErrorKeepsTheVerdict(t *testing.T) {
	f := newFixture(t, fixtureOptions{})
	msg := strings.Repeat("these values are refused ", 4000)
	head := f.pushToPR(map[string]string{"apps/payment-service/templates/configmap.yaml": `{{ fail "` + msg + `" }}` + "\n"})
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run = %d; want 1", n)
	}
	if diff := f.status(head, "gitwave/diff"); diff.State != "failure" {
		t.Errorf("gitwave/diff = %+v; want failure", diff)
	}
	if pol := f.status(head, "gitwave/policy"); pol.State != "failure" {
		t.Errorf("gitwave/policy = %+v; want failure: the verdict must be set", pol)
	}
	comments := f.checkComments(t)
	if !strings.Contains(comments[0], "**Policy:**") || !strings.Contains(comments[0], "| App |") {
		t.Errorf("the first comment lacks the policy verdict or the summary:\n%.3000s", comments[0])
	}
	if all := strings.Join(comments, ""); !strings.Contains(all, markdown.CutMark) || !strings.Contains(all, "these values are refused") {
		t.Errorf("the error is not shown cut")
	}
	job, err := f.store.Job(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != store.JobDone || job.Attempts != 1 {
		t.Errorf("job = %s after %d attempt(s), last error %q; want done at the first", job.State, job.Attempts, job.LastError)
	}
}

// quoteYAML quotes s as a YAML double-quoted scalar.
func quoteYAML(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
