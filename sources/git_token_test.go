package sources

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/hack/gitserver"
)

// rotatingCredential is how a listed repository's token reaches gitwave:
// set makes token the one gitwave reads from then on.
type rotatingCredential struct {
	name string
	repo func(url string) config.Repo
	opts []Option
	set  func(token string)
}

// tokenFileCredential is a tokenFile the operator (or a Secret volume)
// rewrites in place.
func tokenFileCredential(t *testing.T) rotatingCredential {
	path := writeSecret(t, "token", "")
	return rotatingCredential{
		name: "tokenFile",
		repo: func(url string) config.Repo {
			return config.Repo{Name: "apps", Host: "none", URL: url, DefaultBranch: "main", TokenFile: path}
		},
		set: func(token string) {
			if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// hostTokenCredential is the GitHub App installation's token, reissued by
// the host.
func hostTokenCredential() rotatingCredential {
	var mu sync.Mutex
	current := ""
	return rotatingCredential{
		name: "host token",
		repo: func(url string) config.Repo {
			return config.Repo{Name: "acme/apps", Host: "github", URL: url, DefaultBranch: "main"}
		},
		opts: []Option{WithHostToken(func(context.Context, config.Repo) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			return current, nil
		})},
		set: func(token string) {
			mu.Lock()
			defer mu.Unlock()
			current = token
		},
	}
}

// TestRotatedTokenReachesTheOneHandle serves a listed repository from a
// host that admits only its current token and rotates that token between
// fetches: every fetch, through the repository's one gitrepo handle,
// authenticates with the token of the moment, and the token is never
// written under the data directory. (The previous code, which opened a
// fresh handle per fetch, passed this too; it guards the single handle.)
func TestRotatedTokenReachesTheOneHandle(t *testing.T) {
	for _, cred := range []rotatingCredential{tokenFileCredential(t), hostTokenCredential()} {
		t.Run(cred.name, func(t *testing.T) {
			work, first := newWorkRepo(t, map[string]string{"apps/a.yaml": "v1\n"})
			srv := gitserver.New(t)
			url, bare := srv.AddClone(t, "acme/apps.git", work)
			dataDir := t.TempDir()
			const interval = 100 * time.Millisecond
			r, err := New(&config.Config{FetchInterval: config.Duration(interval), Repos: []config.Repo{cred.repo(url)}}, dataDir, cred.opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			ctx := context.Background()

			rotate := func(token string) {
				srv.Rotate(token)
				cred.set(token)
			}
			rotate("ghs_first")
			if _, sha, err := r.Tree(ctx, url, "main"); err != nil || sha != first {
				t.Fatalf("clone with the first token: %s, %v; want %s", sha, err, first)
			}
			srv.ExpectOnly(t, "ghs_first")
			g := r.trees[config.RepoKey(url)].(*gitSource)
			cloned := g.fetches.Load()

			tokens := []string{"ghs_second", "ghs_third", "ghs_fourth"}
			for i, token := range tokens {
				// The host revokes the previous token.
				rotate(token)
				head := commitFiles(t, work, map[string]string{"apps/a.yaml": token + "\n"})
				gitIn(t, work, "push", "--quiet", bare, "HEAD:main")
				rev := "main"
				if i%2 == 1 {
					rev = head // a SHA the mirror lacks: fetched at once
				} else {
					time.Sleep(interval)
				}
				fsys, sha, err := r.Tree(ctx, url, rev)
				if err != nil || sha != head {
					t.Fatalf("Tree(%s) after rotating to %s: %s, %v; want %s", rev, token, sha, err, head)
				}
				if got := readFile(t, fsys, "apps/a.yaml"); got != token+"\n" {
					t.Errorf("apps/a.yaml at %s = %q", head, got)
				}
				srv.ExpectOnly(t, token)
			}

			if n := g.fetches.Load() - cloned; n != int64(len(tokens)) {
				t.Errorf("%d fetches after the clone, want %d", n, len(tokens))
			}
			if n := g.opens.Load(); n != 1 {
				t.Errorf("opened %d gitrepo handles for one repository across %d fetches, want 1", n, g.fetches.Load())
			}
			for _, token := range append(tokens, "ghs_first") {
				assertNotUnder(t, filepath.Join(dataDir, "git"), token)
			}
		})
	}
}

// assertNotUnder fails if any file under dir contains secret.
func assertNotUnder(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the token %s", strings.TrimPrefix(p, dir), secret)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestHostTokenFailureNamesTheRepository: when the host cannot issue a
// token, the read fails with the host's reason and the repository's URL,
// and a later read asks the host again through the same handle.
func TestHostTokenFailureNamesTheRepository(t *testing.T) {
	work, first := newWorkRepo(t, map[string]string{"apps/a.yaml": "v1\n"})
	srv := gitserver.New(t)
	url, _ := srv.AddClone(t, "acme/apps.git", work)
	srv.Rotate("ghs_valid")
	var mu sync.Mutex
	hostErr := errors.New("installation suspended")
	r := newTestRegistry(t, &config.Config{Repos: []config.Repo{{Name: "acme/apps", Host: "github", URL: url}}},
		WithHostToken(func(context.Context, config.Repo) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			if hostErr != nil {
				return "", hostErr
			}
			return "ghs_valid", nil
		}))
	ctx := context.Background()
	_, _, err := r.Tree(ctx, url, "main")
	if err == nil || !strings.Contains(err.Error(), "installation suspended") || !strings.Contains(err.Error(), url) {
		t.Fatalf("Tree when the host issues no token = %v; want its reason and %s", err, url)
	}
	mu.Lock()
	hostErr = nil
	mu.Unlock()
	if _, sha, err := r.Tree(ctx, url, "main"); err != nil || sha != first {
		t.Errorf("Tree once the host issues tokens again = %s, %v; want %s", sha, err, first)
	}
}
