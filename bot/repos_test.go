package bot

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/gitserver"
)

// rotatingHost issues a new clone token on every call and makes the Git
// server admit only that one, as an installation token that expired the
// moment the next was issued.
type rotatingHost struct {
	Host // the calls this test makes are the two below
	srv  *gitserver.Server

	mu     sync.Mutex
	issued int
}

func (h *rotatingHost) Name() string { return "github" }

func (h *rotatingHost) CloneToken(context.Context, string) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.issued++
	token := fmt.Sprintf("ghs_token%d", h.issued)
	h.srv.Rotate(token)
	return token, nil
}

// TestMirrorsOneHandleFreshTokenPerFetch: every job's fetch goes through the
// repository's one handle with a token the host issues for that fetch, so a
// later job fetches after the earlier job's token expired, and a checkout
// reads what its fetch brought.
func TestMirrorsOneHandleFreshTokenPerFetch(t *testing.T) {
	work := t.TempDir()
	gitCmd := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=c", "GIT_COMMITTER_EMAIL=c@example.com", "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	commit := func(msg string) string {
		if err := os.WriteFile(filepath.Join(work, "app.yaml"), []byte("msg: "+msg+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		gitCmd("add", "-A")
		gitCmd("commit", "--quiet", "-m", msg)
		return gitCmd("rev-parse", "HEAD")
	}
	gitCmd("-c", "init.defaultBranch=main", "init", "--quiet")
	first := commit("one")
	srv := gitserver.New(t)
	url, bare := srv.AddClone(t, "acme/gitops.git", work)
	h := &rotatingHost{srv: srv}
	m := newMirrors(t.TempDir(), nil, nil, slog.New(slog.DiscardHandler))
	m.hosts = map[string]Host{"github": h}
	t.Cleanup(m.Close)
	repo := config.Repo{Name: "acme/gitops", Host: "github", URL: url, DefaultBranch: "main"}
	ctx := t.Context()

	co1, err := m.fetch(ctx, repo)
	if err != nil {
		t.Fatalf("first fetch: %v", err)
	}
	if sha, err := co1.resolve(ctx, "main"); err != nil || sha != first {
		t.Fatalf("resolve(main) = %s, %v; want %s", sha, err, first)
	}
	co1.Close()

	second := commit("two")
	gitCmd("push", "--quiet", bare, "main")
	co2, err := m.fetch(ctx, repo)
	if err != nil {
		t.Fatalf("second fetch, after the first token expired: %v", err)
	}
	defer co2.Close()
	if sha, err := co2.resolve(ctx, "main"); err != nil || sha != second {
		t.Fatalf("resolve(main) after the second fetch = %s, %v; want %s", sha, err, second)
	}
	if co1.git != co2.git {
		t.Error("two jobs got two handles of one repository")
	}
	changed, err := co2.git.ChangedFiles(ctx, first, second)
	if err != nil || len(changed) != 1 || changed[0] != "app.yaml" {
		t.Errorf("ChangedFiles(first, second) = %v, %v; want [app.yaml]", changed, err)
	}
	h.mu.Lock()
	issued := h.issued
	h.mu.Unlock()
	if issued < 3 { // the clone, and one fetch per job
		t.Errorf("host issued %d tokens for a clone and two fetches", issued)
	}
	for _, pw := range srv.Passwords() {
		if pw == "" {
			t.Error("a request reached the server without a token")
		}
	}
}
