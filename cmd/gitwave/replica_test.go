//go:build linux

package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gitwave/gitwave/bot/hostfake"
	"github.com/gitwave/gitwave/hack/localcluster"
)

// replica is one `gitwave serve` process: the test binary running main
// (execMainEnv), with its own data directory and log.
type replica struct {
	name   string
	url    string
	holder string // the holder name it takes locks and jobs under
	log    string
	cmd    *exec.Cmd
}

// replicaConfig is what two replicas share: the fake GitHub, the
// repository, the clusters and the database.
type replicaConfig struct {
	gh       *hostfake.GitHub
	repoDir  string
	env      *localcluster.Env
	dsn      string
	interval time.Duration // reconcile.interval
	lease    time.Duration // jobs.lease
}

// startReplica writes a gitwave.yaml for name and starts `gitwave serve`
// with it, killed when the test ends; it returns once /readyz answers.
func startReplica(t *testing.T, name string, rc replicaConfig) *replica {
	t.Helper()
	dir := t.TempDir()
	addr := freeAddr(t)
	writeFile(t, filepath.Join(dir, "app.pem"), string(rc.gh.PrivateKey))
	writeFile(t, filepath.Join(dir, "webhook-secret"), string(rc.gh.WebhookSecret))
	var clusters strings.Builder
	for _, c := range rc.env.Names() {
		fmt.Fprintf(&clusters, "  - {name: %s, kubeconfig: %s, context: %s}\n", c, rc.env.KubeconfigPath(), c)
	}
	cfg := fmt.Sprintf(`listen: %q
dataDir: %s
state: {driver: postgres, dsn: %q}
github: {appID: %d, privateKeyFile: app.pem, webhookSecretFile: webhook-secret, baseURL: %q}
repos:
  - {name: %s, host: github, url: %q, defaultBranch: main}
clusters:
%spolicy: {default: "role:readonly"}
reconcile: {interval: %s}
jobs: {lease: %s}
`, addr, filepath.Join(dir, "data"), rc.dsn, rc.gh.AppID, rc.gh.URL, replicaRepo, "file://"+rc.repoDir,
		clusters.String(), rc.interval, rc.lease)
	writeFile(t, filepath.Join(dir, "gitwave.yaml"), cfg)
	r := &replica{name: name, url: "http://" + addr, log: filepath.Join(dir, "gitwave.log")}
	logFile, err := os.Create(r.log)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(os.Args[0], "serve", "--config", filepath.Join(dir, "gitwave.yaml"))
	r.cmd.Env = append(os.Environ(), execMainEnv+"=1")
	r.cmd.Stdout, r.cmd.Stderr = logFile, logFile
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	r.holder = fmt.Sprintf("%s-%d", host, r.cmd.Process.Pid)
	t.Cleanup(func() {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		logFile.Close()
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, tail(r.logText(), 60))
		}
	})
	waitFor(t, time.Minute, name+" ready", func() bool { return r.get("/readyz") == http.StatusOK })
	return r
}

// get returns the status of GET path on r, or 0 when it does not answer.
func (r *replica) get(path string) int {
	resp, err := http.Get(r.url + path)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// metrics returns r's /metrics body.
func (r *replica) metrics(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(r.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// send posts a webhook built by the GitHub double, with its headers, to r
// and returns the status.
func (r *replica) send(t *testing.T, in *http.Request, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url+"/webhooks/github", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = in.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("webhook to %s: %v", r.name, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

// logText is everything r logged so far.
func (r *replica) logText() string {
	b, _ := os.ReadFile(r.log)
	return string(b)
}

// logged counts r's log lines with the message msg.
func (r *replica) logged(msg string) int {
	return strings.Count(r.logText(), `"msg":"`+msg+`"`)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// testSchema creates a schema of its own on the PostgreSQL server of
// GITWAVE_TEST_POSTGRES_DSN, dropped when the test ends, and returns a DSN
// using it. Without the variable the test is skipped, except in CI.
func testSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("GITWAVE_TEST_POSTGRES_DSN")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("GITWAVE_TEST_POSTGRES_DSN is not set: CI must start PostgreSQL (hack/postgres/start.sh)")
		}
		t.Skip(`GITWAVE_TEST_POSTGRES_DSN is not set; run: export GITWAVE_TEST_POSTGRES_DSN="$(hack/postgres/start.sh)"`)
	}
	if !strings.HasPrefix(base, "postgres://") && !strings.HasPrefix(base, "postgresql://") {
		t.Skip("GITWAVE_TEST_POSTGRES_DSN is not a URL")
	}
	schema := fmt.Sprintf("replicas_%d", time.Now().UnixNano())
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// queryInt runs a one-number query.
func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
