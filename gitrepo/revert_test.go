package gitrepo

import (
	"os"
	"strings"
	"testing"
)

func TestRevertOnBranchPushesToRemote(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"apps/web/values.yaml": "image: v1\n", "apps/api/values.yaml": "image: a1\n"})
	up.commit("deploy v1")
	up.write(map[string]string{"apps/web/values.yaml": "image: v2\n"})
	bad := up.commit("deploy v2")
	up.write(map[string]string{"apps/api/values.yaml": "image: a2\n"})
	up.commit("deploy a2")
	// A bare upstream accepts pushes, as a Git host does.
	bare := &testRepo{t: t, dir: t.TempDir()}
	bare.git("clone", "--quiet", "--bare", up.dir, ".")
	repo := openRepo(t, Options{Location: bare.fileURL(), CacheDir: t.TempDir()})

	sha, err := repo.RevertOnBranch(testContext(t), "main", []string{bad}, "gitwave/rollback-web", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := bare.git("rev-parse", "refs/heads/gitwave/rollback-web"); got != sha {
		t.Errorf("upstream branch at %s, want the revert commit %s", got, sha)
	}
	if got := bare.git("show", sha+":apps/web/values.yaml"); got != "image: v1" {
		t.Errorf("web values on the revert branch = %q, want v1 back", got)
	}
	if got := bare.git("show", sha+":apps/api/values.yaml"); got != "image: a2" {
		t.Errorf("api values on the revert branch = %q, want the later change kept", got)
	}
	c, err := repo.Commit(testContext(t), sha)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Message, "This reverts commit "+bad) {
		t.Errorf("revert message %q does not name the reverted commit", c.Message)
	}
	if got := strings.Count(gitIn(t, repo.GitDir(), "worktree", "list"), "\n"); got != 1 {
		t.Errorf("mirror keeps %d worktrees after the revert, want none", got)
	}
	if _, err := repo.RevertOnBranch(testContext(t), "main", []string{bad}, "gitwave/rollback-web", ""); err == nil {
		t.Error("second revert onto an existing branch succeeded")
	}
}

func TestRevertOnBranchLocal(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.yaml": "v: 1\n"})
	up.commit("one")
	up.write(map[string]string{"a.yaml": "v: 2\n"})
	two := up.commit("two")
	up.write(map[string]string{"a.yaml": "v: 3\n"})
	three := up.commit("three")
	repo := up.open(t)

	sha, err := repo.RevertOnBranch(testContext(t), "main", []string{three, two}, "rollback", "Roll back to one")
	if err != nil {
		t.Fatal(err)
	}
	if got := up.git("rev-parse", "refs/heads/rollback"); got != sha {
		t.Errorf("branch rollback at %s, want %s", got, sha)
	}
	if got := up.git("show", "rollback:a.yaml"); got != "v: 1" {
		t.Errorf("a.yaml on rollback = %q, want v: 1", got)
	}
	if got := up.git("log", "-1", "--format=%s", "rollback"); got != "Roll back to one" {
		t.Errorf("message = %q", got)
	}
	if got := up.git("rev-parse", "HEAD"); got != three {
		t.Errorf("user's checkout moved to %s", got)
	}
	if status := up.git("status", "--porcelain"); status != "" {
		t.Errorf("user's working tree changed:\n%s", status)
	}
	entries, _ := os.ReadDir(up.dir + "/.git/worktrees")
	if len(entries) != 0 {
		t.Errorf("temporary worktree left behind: %v", entries)
	}
}

func TestRevertOnBranchConflict(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.yaml": "v: 1\n"})
	up.commit("one")
	up.write(map[string]string{"a.yaml": "v: 2\n"})
	two := up.commit("two")
	up.write(map[string]string{"a.yaml": "v: 3\n"})
	up.commit("three")
	repo := up.open(t)
	_, err := repo.RevertOnBranch(testContext(t), "main", []string{two}, "rollback", "")
	if err == nil || !strings.Contains(err.Error(), "revert "+two) {
		t.Fatalf("conflicting revert: err = %v, want one naming %s", err, two)
	}
	if out := up.git("branch", "--list", "rollback"); out != "" {
		t.Errorf("failed revert left branch %q", out)
	}
}

// gitIn runs git against a git directory.
func gitIn(t *testing.T, gitDir string, args ...string) string {
	t.Helper()
	r := &testRepo{t: t, dir: gitDir}
	return r.git(append([]string{"--git-dir", gitDir}, args...)...) + "\n"
}
