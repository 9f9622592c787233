//go:build linux

package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/examplerepo"
	"github.com/gitwave/gitwave/hack/localcluster"
)

// replicaRepo is the served repository on the GitHub double.
const replicaRepo = "acme/k8s-gitops"

// replicaLease is jobs.lease of the two replicas: a killed replica's job
// runs again on the other within it.
const replicaLease = 6 * time.Second

// twoReplicas is the environment of TestTwoReplicasOnePostgres.
type twoReplicas struct {
	a, b *replica // a starts first and leads the loop
	gh   *hostfake.GitHub
	ex   *examplerepo.Repo
	env  *localcluster.Env
	db   *sql.DB
}

// TestTwoReplicasOnePostgres runs two `gitwave serve` processes on one
// PostgreSQL against three local clusters and the GitHub double:
//   - webhooks and their redeliveries go to either; each job runs once;
//   - the reconcile loop runs on the leader only;
//   - the leader killed with SIGKILL in the middle of a merge deploy: the
//     other replica takes the job over within the job lease, continues
//     the syncs left Running, and the deploy completes once: one history
//     row per app × cluster, no abandoned (Error) row, one deploy comment;
//     the survivor then leads the loop and serves the apps' metrics.
func TestTwoReplicasOnePostgres(t *testing.T) {
	dsn := testSchema(t)
	bin := localcluster.RequireBinaries(t)
	env, err := localcluster.Start(context.Background(), localcluster.Options{
		Names: []string{"staging", "production-apne2", "production-use1"}, BinDir: bin, Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	r := &twoReplicas{env: env, gh: hostfake.NewGitHub(t)}
	if r.ex, err = examplerepo.Build(filepath.Join(t.TempDir(), "repo"), examplerepo.Options{}); err != nil {
		t.Fatal(err)
	}
	r.gh.AddRepo(replicaRepo, 1)
	r.gh.AddTeam("acme", "platform", "carol")
	r.gh.AddPullRequest(replicaRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: examplerepo.MainBranch, HeadSHA: r.ex.HeadSHA, BaseSHA: r.ex.BaseSHA})
	if r.db, err = sql.Open("pgx", dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.db.Close() })
	rc := replicaConfig{gh: r.gh, repoDir: r.ex.Dir, env: env, dsn: dsn, interval: 30 * time.Second, lease: replicaLease}
	r.a = startReplica(t, "a", rc)
	waitFor(t, time.Minute, "a to lead the loop", func() bool { return r.leader() == r.a.holder })
	r.b = startReplica(t, "b", rc)

	t.Run("webhooks to either replica run once", r.checkWebhooksOnce)
	t.Run("the loop runs on the leader only", r.checkLoopOnLeader)
	t.Run("the leader killed during a deploy", r.checkKilledLeader)
}

// leader is the holder of the reconcile lock.
func (r *twoReplicas) leader() string {
	var h string
	_ = r.db.QueryRow(`SELECT holder FROM locks WHERE name = 'reconcile'`).Scan(&h)
	return h
}

// checkWebhooksOnce sends a pull request event to a, the same delivery to
// b, and the same event under a new delivery id to b; then a comment
// command to b and its redelivery to a. Each is one job, run once.
func (r *twoReplicas) checkWebhooksOnce(t *testing.T) {
	event, body := r.gh.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: replicaRepo, DefaultBranch: "main",
		Number: 1, HeadSHA: r.ex.HeadSHA, HeadRef: examplerepo.PRBranch, BaseSHA: r.ex.BaseSHA, BaseRef: "main", Sender: "carol"})
	in := r.gh.SignedRequest(event, body)
	expectCodes(t, "pull_request", r.a.send(t, in, body), r.b.send(t, in, body), r.b.send(t, r.gh.SignedRequest(event, body), body))
	id := r.gh.AddComment(replicaRepo, 1, hostfake.Comment{Author: "carol", Body: "/help"})
	event, body = r.gh.Webhook(t, hostfake.GitHubWebhook{Example: "issue_comment.created", Repo: replicaRepo, DefaultBranch: "main",
		Number: 1, CommentID: id, CommentBody: "/help", Sender: "carol", SenderType: "User"})
	in = r.gh.SignedRequest(event, body)
	expectCodes(t, "issue_comment", r.b.send(t, in, body), r.a.send(t, in, body))
	waitFor(t, 3*time.Minute, "the two jobs done", func() bool {
		return queryInt(t, r.db, `SELECT COUNT(*) FROM jobs WHERE kind IN ('pull_request', 'comment') AND state = 'done'`) == 2
	})
	if n := queryInt(t, r.db, `SELECT COUNT(*) FROM jobs WHERE kind IN ('pull_request', 'comment')`); n != 2 {
		t.Errorf("%d jobs for one pull request event and one comment; want 2", n)
	}
	if n := queryInt(t, r.db, `SELECT COUNT(*) FROM jobs WHERE kind IN ('pull_request', 'comment') AND attempts <> 1`); n != 0 {
		t.Errorf("%d job(s) ran more than once", n)
	}
	var posts int
	for _, req := range r.gh.Requests() {
		if req.Method == http.MethodPost && req.Path == "/repos/"+replicaRepo+"/issues/1/comments" {
			posts++
		}
	}
	if posts != 2 {
		t.Errorf("%d comments posted on pull request 1; want 2 (the diff, the /help answer)", posts)
	}
}

// expectCodes: the first delivery is accepted (202), the others are
// answered as duplicates (200).
func expectCodes(t *testing.T, what string, codes ...int) {
	t.Helper()
	for i, c := range codes {
		want := http.StatusOK
		if i == 0 {
			want = http.StatusAccepted
		}
		if c != want {
			t.Errorf("%s delivery %d: %d; want %d", what, i+1, c, want)
		}
	}
}

// checkLoopOnLeader: a's loop ran over the fleet and wrote the statuses;
// b never ran a pass.
func (r *twoReplicas) checkLoopOnLeader(t *testing.T) {
	waitFor(t, 3*time.Minute, "a pass of the loop over the fleet", func() bool {
		return r.a.logged("reconciled") > 0 && queryInt(t, r.db, `SELECT COUNT(*) FROM app_status`) > 0
	})
	if r.a.logged("reconciled") == 0 || r.b.logged("reconciled") != 0 {
		t.Errorf("passes of the loop: %d on a (the leader), %d on b; want some on a only", r.a.logged("reconciled"), r.b.logged("reconciled"))
	}
}

// setSchedulable cordons or uncordons every node of every cluster, so that
// new pods stay Pending and a sync waits for health until uncordoned.
func (r *twoReplicas) setSchedulable(t *testing.T, ok bool) {
	t.Helper()
	ctx := context.Background()
	for _, name := range r.env.Names() {
		cs := kubernetes.NewForConfigOrDie(r.env.RESTConfig(name))
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nodes.Items {
			n.Spec.Unschedulable = !ok
			if _, err := cs.CoreV1().Nodes().Update(ctx, &n, metav1.UpdateOptions{}); err != nil {
				t.Fatalf("node %s of %s: %v", n.Name, name, err)
			}
		}
	}
}

// checkKilledLeader merges pull request 1 while b is stopped (SIGSTOP),
// so that a claims the deploy; kills a once its syncs wait for pods that
// cannot be scheduled; lets the pods run; and checks that b finished the
// deploy, once.
func (r *twoReplicas) checkKilledLeader(t *testing.T) {
	r.setSchedulable(t, false)
	if err := r.b.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	if err := examplerepo.Merge(context.Background(), r.ex); err != nil {
		t.Fatal(err)
	}
	r.gh.AddPullRequest(replicaRepo, hostfake.PullRequest{Number: 1, Title: "Deploy payment-service v2.4.0", Author: "carol",
		Head: examplerepo.PRBranch, Base: "main", HeadSHA: r.ex.HeadSHA, BaseSHA: r.ex.BaseSHA, State: "closed",
		Merged: true, MergeSHA: r.ex.HeadSHA})
	event, body := r.gh.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.closed", Repo: replicaRepo, DefaultBranch: "main",
		Number: 1, HeadSHA: r.ex.HeadSHA, HeadRef: examplerepo.PRBranch, BaseSHA: r.ex.BaseSHA, BaseRef: "main",
		Merged: true, MergeSHA: r.ex.HeadSHA, Sender: "carol"})
	expectCodes(t, "merge", r.a.send(t, r.gh.SignedRequest(event, body), body))
	waitFor(t, 2*time.Minute, "a's deploy syncs Running", func() bool {
		return queryInt(t, r.db, `SELECT COUNT(*) FROM syncs WHERE revision = $1 AND phase = 'Running'`, r.ex.HeadSHA) > 0
	})
	time.Sleep(2 * time.Second) // the other clusters' syncs of the wave start too
	running := queryInt(t, r.db, `SELECT COUNT(*) FROM syncs WHERE revision = $1 AND phase = 'Running'`, r.ex.HeadSHA)
	loopOnB := r.b.logged("reconciled")
	if err := r.a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	if err := r.b.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	r.setSchedulable(t, true)
	t.Logf("killed a with %d sync(s) Running", running)
	waitFor(t, 2*replicaLease, "b to take the deploy over", func() bool {
		var by string
		_ = r.db.QueryRow(`SELECT leased_by FROM jobs WHERE kind = 'merged'`).Scan(&by)
		return strings.HasPrefix(by, r.b.holder+"/")
	})
	if took := time.Since(killed); took > replicaLease+2*time.Second {
		t.Errorf("b took the deploy over %s after the kill; want within the lease (%s)", took, replicaLease)
	}
	waitFor(t, 4*time.Minute, "the deploy done", func() bool {
		return queryInt(t, r.db, `SELECT COUNT(*) FROM jobs WHERE kind = 'merged' AND state = 'done'`) == 1
	})
	r.checkDeployedOnce(t, killed, running)
	if loopOnB != 0 {
		t.Errorf("b ran %d pass(es) of the loop while a led it", loopOnB)
	}
	waitFor(t, time.Minute, "b to lead the loop and run a pass", func() bool {
		return r.leader() == r.b.holder && r.b.logged("reconciled") > 0
	})
	r.checkMetrics(t)
}

// checkDeployedOnce: every app × cluster of the merge has one history row
// at the merge, Succeeded; the syncs a left Running were continued, not
// abandoned; one deploy comment.
func (r *twoReplicas) checkDeployedOnce(t *testing.T, killed time.Time, running int) {
	t.Helper()
	if n := queryInt(t, r.db, `SELECT attempts FROM jobs WHERE kind = 'merged'`); n != 2 {
		t.Errorf("the merge job was claimed %d time(s); want 2 (a, killed, then b)", n)
	}
	rows, err := r.db.Query(`SELECT app, cluster, phase, cause, started_us, COUNT(*) OVER (PARTITION BY app, cluster)
		FROM syncs WHERE revision = $1 ORDER BY app, cluster`, r.ex.HeadSHA)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var apps, resumed int
	for rows.Next() {
		var app, cluster, phase, cause string
		var started int64
		var n int
		if err := rows.Scan(&app, &cluster, &phase, &cause, &started, &n); err != nil {
			t.Fatal(err)
		}
		apps++
		if n != 1 || phase != "Succeeded" || cause != "merge" {
			t.Errorf("%s on %s: %d row(s) at the merge, %s by %s; want one, Succeeded by merge", app, cluster, n, phase, cause)
		}
		if time.UnixMicro(started).Before(killed) {
			resumed++
		}
	}
	if apps == 0 || resumed < running {
		t.Errorf("%d app(s) deployed, %d begun by a and finished by b; want some, and the %d a left Running", apps, resumed, running)
	}
	if n := queryInt(t, r.db, `SELECT COUNT(*) FROM syncs WHERE phase = 'Error'`); n != 0 {
		t.Errorf("%d sync(s) recorded as Error (abandoned); want none", n)
	}
	var deploys int
	for _, c := range r.gh.Comments(replicaRepo, 1) {
		if strings.Contains(c.Body, "<!-- gitwave:deploy -->") {
			deploys++
		}
	}
	if deploys != 1 {
		t.Errorf("%d deploy comments on pull request 1; want 1", deploys)
	}
}

// checkMetrics: b's /metrics shows the apps' status from the shared store
// and the syncs b ran.
func (r *twoReplicas) checkMetrics(t *testing.T) {
	t.Helper()
	var app, cluster, project string
	if err := r.db.QueryRow(`SELECT app, cluster FROM syncs WHERE revision = $1 ORDER BY id LIMIT 1`, r.ex.HeadSHA).
		Scan(&app, &cluster); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, app+" Synced at the merge", func() bool {
		return queryInt(t, r.db, `SELECT COUNT(*) FROM app_status WHERE app = $1 AND cluster = $2 AND sync = 'Synced'
			AND health = 'Healthy' AND deployed_revision = $3`, app, cluster, r.ex.HeadSHA) == 1
	})
	_ = r.db.QueryRow(`SELECT project FROM app_status WHERE app = $1 AND cluster = $2`, app, cluster).Scan(&project)
	body := r.b.metrics(t)
	for _, l := range []string{
		fmt.Sprintf(`gitwave_app_info{app=%q,cluster=%q,health_status="Healthy",project=%q,sync_status="Synced"} 1`, app, cluster, project),
		fmt.Sprintf(`gitwave_sync_total{app=%q,cluster=%q,phase="Succeeded"} 1`, app, cluster),
		fmt.Sprintf(`gitwave_cluster_reachable{cluster=%q} 1`, cluster),
	} {
		if !strings.Contains(body, "\n"+l+"\n") {
			t.Errorf("b's /metrics lacks %s", l)
		}
	}
	if n := strings.Count(body, "\ngitwave_app_info{"); n != queryInt(t, r.db, `SELECT COUNT(*) FROM app_status`) {
		t.Errorf("%d gitwave_app_info series; want one per stored status", n)
	}
}
