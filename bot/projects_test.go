package bot_test

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
)

// mainProjects are the AppProjects the default branch defines in these
// tests: applications may deploy anywhere but to the namespace
// payment-service (a "!" entry), and of cluster-scoped kinds only
// Namespaces named inventory-*; platform may deploy redis to production
// clusters only. infrastructure is not defined.
const mainProjects = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: applications, namespace: argocd}
spec:
  sourceRepos: ['https://github.com/acme/*']
  destinations:
    - {server: '*', namespace: '*'}
    - {server: '*', namespace: '!payment-service'}
  clusterResourceWhitelist: [{group: '', kind: Namespace, name: 'inventory-*'}]
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: platform, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{name: 'production-*', namespace: redis}]
  clusterResourceWhitelist: [{group: '', kind: Namespace}]
`

// paymentRefused is how every gitwave surface names the violation of
// payment-service on staging.
const paymentRefused = "project applications: destination cluster staging (https://kubernetes.staging.internal:6443) namespace payment-service is not permitted by destinations (denied by entry {name: -, server: *, namespace: !payment-service})"

// gitIn runs git in the example's working tree and returns its output.
func gitIn(t testing.TB, f *fixture, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = f.ex.Dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t",
		"GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v: %s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// commitFiles writes files on branch, commits them all and returns the
// new commit; main is checked out again.
func commitFiles(t testing.TB, f *fixture, branch string, files map[string]string) string {
	t.Helper()
	gitIn(t, f, "checkout", "-q", branch)
	for p, content := range files {
		full := filepath.Join(f.ex.Dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitIn(t, f, "add", "-A")
	gitIn(t, f, "commit", "-q", "-m", "change on "+branch)
	head := gitIn(t, f, "rev-parse", "HEAD")
	gitIn(t, f, "checkout", "-q", examplerepo.MainBranch)
	return head
}

// escapeApp is an Application a pull request adds under a project that
// the default branch does not define.
const escapeApp = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: escape, namespace: argocd}
spec:
  project: team-z
  source: {repoURL: 'https://github.com/acme/k8s-gitops.git', path: kustomize/redis/overlays/staging}
  destination: {name: staging, namespace: kube-system}
`

// teamZ is the AppProject the same pull request defines for itself.
const teamZ = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team-z, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
`

// TestPRShowsProjectViolations: the default branch defines AppProjects; a
// pull request by carol (who may modify every path) deploys
// payment-service where its project denies it and adds an app under a
// project it defines itself. The comment lists each violation under its
// app, which is not diffed against its live cluster (a permitted app would
// be), gitwave/policy fails naming the first, and the pull request's own
// AppProject counts for nothing.
func TestPRShowsProjectViolations(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	commitFiles(t, f, examplerepo.MainBranch, map[string]string{"projects/projects.yaml": mainProjects})
	head := commitFiles(t, f, examplerepo.PRBranch, map[string]string{
		"applications/escape.yaml": escapeApp, "projects/team-z.yaml": teamZ})
	f.ex.HeadSHA = head
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: head, BaseSHA: f.ex.BaseSHA})
	files := []hostfake.File{{Path: "applications/escape.yaml", Status: "added"}, {Path: "projects/team-z.yaml", Status: "added"}}
	for _, p := range f.ex.Changed {
		files = append(files, hostfake.File{Path: p, Status: "modified"})
	}
	f.gh.SetFiles(exampleRepo, 1, files...)
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.opened", Number: 1, HeadSHA: head,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "carol"}, http.StatusAccepted)
	f.run()
	body := f.botComments(1)[0]

	for _, want := range []string{
		"| `payment-service-staging` | `staging` | :pencil2: changed | 0 | 4 | 0 | -1, 0, 1 | :no_entry: AppProject `applications`: 8 violation(s) |",
		"| `escape` | `staging` | :sparkles: added |",
		"| `redis-production-use1` | `production-use1` | :pencil2: changed | 0 | 1 | 0 | 0 | :white_check_mark: allowed |",
		"<details><summary><code>payment-service-staging</code> on <code>staging</code>: 4 changed</summary>\n\n> `not diffed against the live cluster: its AppProject applications refuses it; the diff shown is against the base branch`\n\n> :no_entry: **Refused by its AppProject**; merging deploys nothing of it:\n> - `" + paymentRefused + "`\n",
		"<details><summary><code>inventory-service-staging</code> on <code>staging</code>: 3 added</summary>\n\n> `cluster staging is not configured in gitwave; the diff shown is against the base branch`\n",
		"> - `project applications: Namespace/payment-service is not in clusterResourceWhitelist`\n",
		"> - `project team-z: no AppProject of that name is defined (defined: applications, default, platform)`\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("comment lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "`inventory-service-staging` | `staging` | :sparkles: added | 3 | 0 | 0 | 0 | :no_entry:") {
		t.Errorf("inventory-service, which its project permits, is refused:\n%s", body)
	}
	pol := f.status(head, "gitwave/policy")
	if pol.State != "failure" || !strings.Contains(pol.Description, "4 app(s) refused by their AppProject; escape@staging: project team-z: no AppProject") {
		t.Errorf("gitwave/policy = %+v; want a failure naming the first violation", pol)
	}
}

// permissiveApplications is the AppProject applications as a pull request
// would like it: everything permitted.
const permissiveApplications = `apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: applications, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{server: '*', namespace: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
`

// TestSlashSyncUsesDefaultBranchProjects: /sync on an open pull request
// deploys its diffed head, but holds it to the default branch's
// AppProjects, not to the permissive one the pull request brings.
func TestSlashSyncUsesDefaultBranchProjects(t *testing.T) {
	f := newFixture(t, fixtureOptions{Author: "carol"})
	commitFiles(t, f, examplerepo.MainBranch, map[string]string{"projects/projects.yaml": mainProjects})
	head := commitFiles(t, f, examplerepo.PRBranch, map[string]string{"projects/projects.yaml": permissiveApplications})
	f.gh.AddPullRequest(exampleRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: head, BaseSHA: f.ex.BaseSHA})
	// /sync deploys only a head gitwave has diffed: the diff comes first.
	f.webhook(hostfake.GitHubWebhook{Example: "pull_request.opened", Number: 1, HeadSHA: head,
		HeadRef: examplerepo.PRBranch, BaseSHA: f.ex.BaseSHA, BaseRef: "main", Sender: "carol"}, http.StatusAccepted)
	if n := f.run(); n != 1 {
		t.Fatalf("jobs run on opening = %d; want 1", n)
	}
	f.comment("carol", "/sync payment-service-staging")
	f.run()
	got := f.lastReply()
	if !strings.Contains(got, "refused by its AppProject, nothing applied: "+paymentRefused) {
		t.Errorf("/sync answer does not refuse payment-service by the default branch's project:\n%s", got)
	}
	if strings.Contains(got, "no cluster is configured") {
		t.Errorf("/sync went on to the clusters:\n%s", got)
	}
}
