package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMirrorFetchesIncrementally(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"app/values.yaml": "v: 1\n"})
	first := up.commit("first")
	cache := t.TempDir()
	o := Options{Location: up.fileURL(), CacheDir: cache}

	repo := openRepo(t, o)
	got, err := repo.Resolve(testContext(t), "main")
	if err != nil || got != first {
		t.Fatalf("Resolve(main) = %s, %v; want %s", got, err, first)
	}
	mirror := repo.GitDir()
	if filepath.Dir(mirror) != cache {
		t.Errorf("mirror %s is not in the cache dir %s", mirror, cache)
	}
	before := objectCount(t, mirror)

	up.write(map[string]string{"app/values.yaml": "v: 2\n"})
	second := up.commit("second")
	up.git("tag", "v2")

	again := openRepo(t, o)
	if again.GitDir() != mirror {
		t.Errorf("second Open uses %s, want the cached %s", again.GitDir(), mirror)
	}
	for _, rev := range []string{"main", "v2"} {
		got, err := again.Resolve(testContext(t), rev)
		if err != nil || got != second {
			t.Fatalf("Resolve(%s) after an upstream commit = %s, %v; want %s", rev, got, err, second)
		}
	}
	if after := objectCount(t, mirror); after <= before {
		t.Errorf("mirror holds %d objects after the fetch, %d before: want more", after, before)
	}
	tree, err := again.Tree(testContext(t), "main")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := tree.ReadFile("app/values.yaml"); err != nil || string(data) != "v: 2\n" {
		t.Errorf("ReadFile after fetch = %q, %v; want the new content", data, err)
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 { // the mirror and its lock file
		t.Errorf("cache holds %d entries, want the mirror and its lock: %v", len(entries), entries)
	}
}

func TestMirrorFetchesUnadvertisedCommit(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	up.commit("first")
	repo := openRepo(t, Options{Location: up.fileURL(), CacheDir: t.TempDir(), FetchInterval: 1 << 40})

	up.git("checkout", "--quiet", "-b", "pr")
	up.write(map[string]string{"a": "pr\n"})
	pr := up.commit("pull request head")
	up.git("update-ref", "refs/pull/7/head", pr)
	up.git("checkout", "--quiet", "main")
	up.git("branch", "-D", "pr")

	got, err := repo.Resolve(testContext(t), pr)
	if err != nil || got != pr {
		t.Fatalf("Resolve(%s) = %s, %v; want the commit fetched by SHA", pr, got, err)
	}
	tree, err := repo.Tree(testContext(t), pr)
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := tree.ReadFile("a"); string(data) != "pr\n" {
		t.Errorf("ReadFile(a) at the fetched commit = %q", data)
	}
}

func TestMirrorConcurrentOpenSharesOneClone(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	head := up.commit("first")
	cache := t.TempDir()

	const openers = 4
	dirs := make([]string, openers)
	errs := make([]error, openers)
	var wg sync.WaitGroup
	for i := range openers {
		wg.Go(func() {
			repo, err := Open(testContext(t), Options{Location: up.fileURL(), CacheDir: cache})
			if err != nil {
				errs[i] = err
				return
			}
			defer repo.Close()
			dirs[i] = repo.GitDir()
			if sha, err := repo.Resolve(testContext(t), "main"); err != nil || sha != head {
				errs[i] = err
			}
		})
	}
	wg.Wait()
	for i := range openers {
		if errs[i] != nil {
			t.Fatalf("opener %d: %v", i, errs[i])
		}
		if dirs[i] != dirs[0] {
			t.Errorf("opener %d uses %s, opener 0 %s", i, dirs[i], dirs[0])
		}
	}
}

func TestMirrorCacheKeyIgnoresSpelling(t *testing.T) {
	tests := []struct{ a, b string }{
		{"https://GitHub.com/org/repo.git", "https://github.com/org/repo"},
		{"https://github.com/org/repo/", "https://github.com/org/repo.git"},
		{"git@github.com:org/repo.git", "ssh://git@github.com/org/repo"},
	}
	for _, tt := range tests {
		la, err := parseLocation(tt.a)
		if err != nil {
			t.Fatal(err)
		}
		lb, err := parseLocation(tt.b)
		if err != nil {
			t.Fatal(err)
		}
		if la.cacheKey() != lb.cacheKey() {
			t.Errorf("%s and %s get different mirrors", tt.a, tt.b)
		}
	}
	other, _ := parseLocation("https://github.com/org/other")
	same, _ := parseLocation("https://github.com/org/repo")
	if other.cacheKey() == same.cacheKey() {
		t.Error("two repositories share one mirror")
	}
}

// helperEnv names the variable that turns the test binary into a process
// that opens a mirror and prints its git directory.
const helperEnv = "GITREPO_TEST_OPEN"

func TestMirrorSharedByProcesses(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	head := up.commit("first")
	cache := t.TempDir()

	const processes = 3
	cmds := make([]*exec.Cmd, processes)
	outs := make([]*strings.Builder, processes)
	for i := range cmds {
		cmds[i] = exec.Command(os.Args[0], "-test.run=^TestMirrorHelperProcess$")
		cmds[i].Env = append(os.Environ(), helperEnv+"="+up.fileURL()+"\n"+cache)
		outs[i] = &strings.Builder{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i])
		}
		if !strings.Contains(outs[i].String(), "resolved "+head) {
			t.Errorf("process %d did not resolve main to %s:\n%s", i, head, outs[i])
		}
	}
	entries, err := os.ReadDir(cache)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 {
		t.Errorf("cache holds %v, want one mirror and its lock", entries)
	}
}

// TestMirrorHelperProcess is the child of TestMirrorSharedByProcesses.
func TestMirrorHelperProcess(t *testing.T) {
	spec := os.Getenv(helperEnv)
	if spec == "" {
		t.Skip("run by TestMirrorSharedByProcesses")
	}
	location, cache, _ := strings.Cut(spec, "\n")
	repo := openRepo(t, Options{Location: location, CacheDir: cache})
	sha, err := repo.Resolve(testContext(t), "main")
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("resolved", sha)
}

func TestEveryCallHasADeadline(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a": "1\n"})
	up.commit("first")
	_, err := Open(testContext(t), Options{Location: up.dir, CommandTimeout: time.Nanosecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Open with a 1ns command timeout: err = %v, want DeadlineExceeded", err)
	}
	_, err = Open(testContext(t), Options{Location: up.fileURL(), CacheDir: t.TempDir(), FetchTimeout: time.Nanosecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("clone with a 1ns fetch timeout: err = %v, want DeadlineExceeded", err)
	}
}
