package gitrepo

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/gitwave/gitwave/hack/gitserver"
)

// tokenSource hands out the token the test last issued and counts calls.
type tokenSource struct {
	mu     sync.Mutex
	token  string
	err    error
	issued int
}

func (ts *tokenSource) issue(token string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.token = token
}

func (ts *tokenSource) get(context.Context) (string, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.issued++
	return ts.token, ts.err
}

// TestTokenSourceRotatedBetweenCalls keeps one Repo open while the host
// rotates its token: each clone, fetch and push asks the source again and
// authenticates with the token of the moment, which a Repo holding the
// first token could not do once the host revoked it.
func TestTokenSourceRotatedBetweenCalls(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"apps/web/values.yaml": "image: v1\n"})
	first := up.commit("deploy v1")
	srv := gitserver.New(t)
	url, bare := srv.AddClone(t, "org/repo.git", up.dir)
	ts := &tokenSource{}
	cache := t.TempDir()
	ctx := testContext(t)

	srv.Rotate("ghs_first")
	ts.issue("ghs_first")
	repo := openRepo(t, Options{Location: url, CacheDir: cache, TokenSource: ts.get})
	if sha, err := repo.Resolve(ctx, "main"); err != nil || sha != first {
		t.Fatalf("Resolve(main) after the clone = %s, %v; want %s", sha, err, first)
	}
	srv.ExpectOnly(t, "ghs_first")

	// The host revokes the first token; the next fetch must use the second.
	srv.Rotate("ghs_second")
	ts.issue("ghs_second")
	up.write(map[string]string{"apps/web/values.yaml": "image: v2\n"})
	second := up.commit("deploy v2")
	up.git("push", "--quiet", bare, "main")
	if err := repo.Fetch(ctx); err != nil {
		t.Fatalf("Fetch after the token rotated: %v", err)
	}
	if sha, err := repo.Resolve(ctx, second); err != nil || sha != second {
		t.Fatalf("Resolve(%s) after the fetch = %s, %v", second, sha, err)
	}
	srv.ExpectOnly(t, "ghs_second")

	// And a push, later still, the third.
	srv.Rotate("ghs_third")
	ts.issue("ghs_third")
	sha, err := repo.RevertOnBranch(ctx, second, []string{second}, "gitwave/rollback-web", "")
	if err != nil {
		t.Fatalf("RevertOnBranch after the token rotated: %v", err)
	}
	if got := strings.TrimSpace(gitIn(t, bare, "rev-parse", "refs/heads/gitwave/rollback-web")); got != sha {
		t.Errorf("upstream branch at %s, want the pushed revert %s", got, sha)
	}
	srv.ExpectOnly(t, "ghs_third")
	if ts.issued < 3 {
		t.Errorf("token source asked %d times for a clone, a fetch and a push", ts.issued)
	}
	for _, token := range []string{"ghs_first", "ghs_second", "ghs_third"} {
		assertNotOnDisk(t, cache, token)
	}
}

// TestTokenSourceFailures checks that a refused token is masked in the
// error, and that a source that cannot give a token fails the fetch with
// its reason and the repository's name.
func TestTokenSourceFailures(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.yaml": "a: 1\n"})
	up.commit("one")
	srv := gitserver.New(t)
	url, _ := srv.AddClone(t, "org/repo.git", up.dir)
	srv.Rotate("ghs_valid")
	ts := &tokenSource{token: "ghs_valid"}
	repo := openRepo(t, Options{Location: url, CacheDir: t.TempDir(), TokenSource: ts.get})
	ctx := testContext(t)

	ts.issue("ghs_expired_s3cr3t")
	err := repo.Fetch(ctx)
	if err == nil {
		t.Fatal("Fetch with a refused token succeeded")
	}
	if strings.Contains(err.Error(), "ghs_expired_s3cr3t") {
		t.Errorf("error reveals the token: %v", err)
	}

	ts.mu.Lock()
	ts.err = errors.New("installation suspended")
	ts.mu.Unlock()
	err = repo.Fetch(ctx)
	if err == nil || !strings.Contains(err.Error(), "installation suspended") || !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("Fetch when the source fails = %v; want its reason and the repository", err)
	}
}
