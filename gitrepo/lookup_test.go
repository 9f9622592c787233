package gitrepo

import (
	"errors"
	"testing"

	"github.com/gitwave/gitwave/hack/gitserver"
)

// TestLookupNeverFetches reads names from a URL mirror whose remote has
// moved on: Lookup answers from what the mirror holds without a request to
// the remote, even with a FetchInterval of zero (where Resolve would
// fetch), and sees the new commit only after Fetch. Names are read as git
// reads them: origin/main is no alias for main.
func TestLookupNeverFetches(t *testing.T) {
	up := newTestRepo(t)
	up.write(map[string]string{"a.yaml": "a: 1\n"})
	first := up.commit("one")
	up.git("tag", "v1")
	srv := gitserver.New(t)
	url, bare := srv.AddClone(t, "org/repo.git", up.dir)
	srv.Rotate("ghs_token")
	repo := openRepo(t, Options{Location: url, CacheDir: t.TempDir(), Token: "ghs_token"})
	ctx := testContext(t)
	srv.Passwords()

	up.write(map[string]string{"a.yaml": "a: 2\n"})
	second := up.commit("two")
	up.git("push", "--quiet", bare, "main")

	for rev, want := range map[string]string{"main": first, "v1": first, first: first, first[:10]: first, "main~0": first} {
		if sha, err := repo.Lookup(ctx, rev); err != nil || sha != want {
			t.Errorf("Lookup(%q) = %s, %v; want the mirror's %s", rev, sha, err, want)
		}
	}
	// origin/main is Resolve's alias for main, not a name Lookup knows.
	for _, rev := range []string{second, "no-such-branch", "origin/main"} {
		if sha, err := repo.Lookup(ctx, rev); !errors.Is(err, ErrRevisionNotFound) {
			t.Errorf("Lookup(%q) = %s, %v; want ErrRevisionNotFound", rev, sha, err)
		}
	}
	for _, rev := range []string{"", "--output=x", "main\nHEAD"} {
		if _, err := repo.Lookup(ctx, rev); err == nil || errors.Is(err, ErrRevisionNotFound) {
			t.Errorf("Lookup(%q) = %v; want a refusal", rev, err)
		}
	}
	if seen := srv.Passwords(); len(seen) != 0 {
		t.Errorf("Lookup sent %d requests to the remote, want none", len(seen))
	}

	if err := repo.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if sha, err := repo.Lookup(ctx, "main"); err != nil || sha != second {
		t.Errorf("Lookup(main) after Fetch = %s, %v; want %s", sha, err, second)
	}
}
