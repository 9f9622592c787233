package gitrepo

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMain gives every git process, the tests' and the package's, a fixed
// identity and no user or system configuration.
func TestMain(m *testing.M) {
	for k, v := range map[string]string{
		"GIT_AUTHOR_NAME":     "Ada Author",
		"GIT_AUTHOR_EMAIL":    "ada@example.com",
		"GIT_COMMITTER_NAME":  "Cy Committer",
		"GIT_COMMITTER_EMAIL": "cy@example.com",
		"GIT_CONFIG_GLOBAL":   os.DevNull,
		"GIT_CONFIG_NOSYSTEM": "1",
	} {
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// testRepo is a real repository made with the git CLI.
type testRepo struct {
	t   testing.TB
	dir string
}

// newTestRepo makes an empty working copy whose default branch is main.
func newTestRepo(t testing.TB) *testRepo {
	t.Helper()
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("-c", "init.defaultBranch=main", "init", "--quiet")
	return r
}

// git runs git in the repository and returns its trimmed output.
func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// write creates or replaces files; an empty content deletes the file.
func (r *testRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, name)
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// symlink creates a symlink at name pointing to target.
func (r *testRepo) symlink(target, name string) {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		r.t.Fatal(err)
	}
}

// commit stages everything and commits it, returning the new SHA.
func (r *testRepo) commit(message string) string {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "--quiet", "--allow-empty", "-m", message)
	return r.git("rev-parse", "HEAD")
}

// fileURL returns the repository's file:// URL.
func (r *testRepo) fileURL() string { return "file://" + r.dir }

// open opens the repository as a local path.
func (r *testRepo) open(t testing.TB) *Repo {
	t.Helper()
	return openRepo(t, Options{Location: r.dir})
}

// openRepo opens a Repo closed at the end of the test.
func openRepo(t testing.TB, o Options) *Repo {
	t.Helper()
	repo, err := Open(testContext(t), o)
	if err != nil {
		t.Fatalf("Open(%s): %v", o.Location, err)
	}
	t.Cleanup(func() { repo.Close() })
	return repo
}

// testContext returns a context that ends with the test or after a minute.
func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// objectCount returns how many objects a git directory holds, loose and
// packed.
func objectCount(t testing.TB, gitDir string) int {
	t.Helper()
	out, err := exec.Command("git", "--git-dir", gitDir, "count-objects", "-v").Output()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for line := range strings.SplitSeq(string(out), "\n") {
		var n int
		if _, err := fmt.Sscanf(line, "count: %d", &n); err == nil {
			total += n
		}
		if _, err := fmt.Sscanf(line, "in-pack: %d", &n); err == nil {
			total += n
		}
	}
	return total
}
