package sources

import (
	"context"
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/gitrepo"
	"github.com/gitwave/gitwave/planner"
)

// upstream is a bare repository served over HTTP, pushed to from a working
// copy.
type upstream struct {
	work, bare string
	server     *gitServer
	url        string
}

func newUpstream(t *testing.T, token string) *upstream {
	t.Helper()
	work, _ := newWorkRepo(t, map[string]string{"apps/a.yaml": "v1\n"})
	root := t.TempDir()
	bare := filepath.Join(root, "acme", "apps.git")
	gitIn(t, root, "clone", "--quiet", "--bare", work, bare)
	s := newGitServer(t, root, token)
	return &upstream{work: work, bare: bare, server: s, url: s.URL + "/acme/apps.git"}
}

// push commits files on main and pushes them.
func (u *upstream) push(t *testing.T, files map[string]string) string {
	t.Helper()
	sha := commitFiles(t, u.work, files)
	gitIn(t, u.work, "push", "--quiet", u.bare, "HEAD:main")
	return sha
}

func readFile(t *testing.T, fsys fs.FS, name string) string {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return string(b)
}

func newTestRegistry(t *testing.T, cfg *config.Config, opts ...Option) *Registry {
	t.Helper()
	r, err := New(cfg, t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestTreeResolvesBranchTagSHAAndHEAD(t *testing.T) {
	u := newUpstream(t, "")
	first := gitIn(t, u.work, "rev-parse", "HEAD")
	gitIn(t, u.work, "tag", "v1.0.0")
	gitIn(t, u.work, "checkout", "--quiet", "-b", "feature")
	feature := commitFiles(t, u.work, map[string]string{"apps/a.yaml": "feature\n"})
	gitIn(t, u.work, "push", "--quiet", "--tags", u.bare, "feature")
	gitIn(t, u.work, "checkout", "--quiet", "main")
	head := u.push(t, map[string]string{"apps/a.yaml": "v3\n"})

	r := newTestRegistry(t, &config.Config{Repos: []config.Repo{{Name: "apps", Host: "none", URL: u.url, DefaultBranch: "main"}}})
	ctx := context.Background()
	for _, tc := range []struct{ rev, wantSHA, want string }{
		{"", head, "v3\n"}, {"HEAD", head, "v3\n"}, {"main", head, "v3\n"},
		{"feature", feature, "feature\n"}, {"v1.0.0", first, "v1\n"},
		{first, first, "v1\n"}, {feature[:10], feature, "feature\n"},
	} {
		fsys, sha, err := r.Tree(ctx, u.url, tc.rev)
		if err != nil {
			t.Fatalf("Tree(%q): %v", tc.rev, err)
		}
		if sha != tc.wantSHA || readFile(t, fsys, "apps/a.yaml") != tc.want {
			t.Errorf("Tree(%q) = %s with %q, want %s with %q", tc.rev, sha, readFile(t, fsys, "apps/a.yaml"), tc.wantSHA, tc.want)
		}
	}
	// The same repository spelled otherwise is the listed one.
	if _, sha, err := r.Tree(ctx, strings.TrimSuffix(u.url, ".git")+"/", "main"); err != nil || sha != head {
		t.Errorf("Tree(url without .git, with a slash) = %s, %v; want %s", sha, err, head)
	}
	_, _, err := r.Tree(ctx, u.url, "no-such-branch")
	var nf *RevisionNotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, gitrepo.ErrRevisionNotFound) || !strings.Contains(err.Error(), `"no-such-branch" not found in `+u.url) {
		t.Errorf("missing revision: %v, want a RevisionNotFoundError naming it and the repository", err)
	}
	// As in Argo CD, origin/main is no branch of the repository.
	if _, sha, err := r.Tree(ctx, u.url, "origin/main"); !errors.As(err, &nf) {
		t.Errorf("Tree(origin/main) = %s, %v; want a RevisionNotFoundError", sha, err)
	}
}

func TestIncrementalFetchAtMostOncePerInterval(t *testing.T) {
	u := newUpstream(t, "")
	const interval = 2 * time.Second
	r := newTestRegistry(t, &config.Config{FetchInterval: config.Duration(interval),
		Repos: []config.Repo{{Name: "apps", Host: "none", URL: u.url, DefaultBranch: "main"}}})
	ctx := context.Background()
	_, first, err := r.Tree(ctx, u.url, "main")
	if err != nil {
		t.Fatal(err)
	}
	if n := r.GitFetches(u.url); n != 1 {
		t.Errorf("first read made %d clones and fetches, want 1 (the clone)", n)
	}
	second := u.push(t, map[string]string{"apps/a.yaml": "v2\n"})
	before := u.server.advertisements.Load()
	if _, sha, err := r.Tree(ctx, u.url, "main"); err != nil || sha != first {
		t.Errorf("within the interval: %s, %v; want the mirror's %s without a fetch", sha, err, first)
	}
	if got := u.server.advertisements.Load() - before; got != 0 {
		t.Errorf("%d fetches within the interval, want 0", got)
	}
	// A commit SHA the mirror lacks is fetched at once.
	if fsys, sha, err := r.Tree(ctx, u.url, second); err != nil || sha != second || readFile(t, fsys, "apps/a.yaml") != "v2\n" {
		t.Errorf("Tree(new SHA) = %s, %v", sha, err)
	}
	// That fetch moved main too: no name is answered from before it.
	if _, sha, err := r.Tree(ctx, u.url, "main"); err != nil || sha != second {
		t.Errorf("main after a fetch: %s, %v; want %s", sha, err, second)
	}
	third := u.push(t, map[string]string{"apps/a.yaml": "v3\n"})
	time.Sleep(interval)
	if fsys, sha, err := r.Tree(ctx, u.url, "main"); err != nil || sha != third || readFile(t, fsys, "apps/a.yaml") != "v3\n" {
		t.Errorf("after the interval: %s, %v; want the new commit %s", sha, err, third)
	}
}

func TestConcurrentCallersShareOneMirrorAndOneFetch(t *testing.T) {
	u := newUpstream(t, "")
	dataDir := t.TempDir()
	cfg := &config.Config{Repos: []config.Repo{{Name: "apps", Host: "none", URL: u.url, DefaultBranch: "main"}}}
	r, err := New(cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var wg sync.WaitGroup
	shas := make([]string, 8)
	errs := make([]error, 8)
	for i := range shas {
		wg.Go(func() { _, shas[i], errs[i] = r.Tree(context.Background(), u.url, "main") })
	}
	wg.Wait()
	for i := range shas {
		if errs[i] != nil || shas[i] != shas[0] {
			t.Fatalf("caller %d: %s, %v", i, shas[i], errs[i])
		}
	}
	if got := u.server.advertisements.Load(); got != 1 {
		t.Errorf("8 concurrent callers made %d clones and fetches, want 1", got)
	}
	if n := r.trees[config.RepoKey(u.url)].(*gitSource).opens.Load(); n != 1 {
		t.Errorf("8 concurrent callers opened %d gitrepo handles, want 1", n)
	}
	// A second Registry on the same data directory (the bot's) reuses the
	// mirror: one directory for the repository.
	r2, err := New(cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, _, err := r2.Tree(context.Background(), u.url, "main"); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(dataDir, "git", "*"))
	var mirrors []string
	for _, e := range entries {
		if st, err := os.Stat(e); err == nil && st.IsDir() {
			mirrors = append(mirrors, e)
		}
	}
	if len(mirrors) != 1 {
		t.Errorf("mirrors under the data directory: %v, want one", mirrors)
	}
}

func TestUnlistedRepositoryIsRefusedWithoutContact(t *testing.T) {
	listed := newUpstream(t, "")
	other := newUpstream(t, "")
	r := newTestRegistry(t, &config.Config{Repos: []config.Repo{{Name: "apps", Host: "none", URL: listed.url}}})
	_, _, err := r.Tree(context.Background(), other.url, "main")
	var unlisted *planner.UnlistedSourceError
	if !errors.As(err, &unlisted) || unlisted.RepoURL != other.url || unlisted.Chart {
		t.Fatalf("unlisted repoURL: %v, want an UnlistedSourceError naming %s", err, other.url)
	}
	if _, _, err := r.Tree(context.Background(), "", "main"); !errors.As(err, &unlisted) {
		t.Errorf("empty repoURL: %v, want an UnlistedSourceError", err)
	}
	if n := other.server.advertisements.Load(); n != 0 {
		t.Errorf("the unlisted repository was contacted %d times", n)
	}
}

func TestTokenFileAndHostTokenAuthenticateAndNeverShow(t *testing.T) {
	const token = "ghs_s3cretT0kenValue"
	u := newUpstream(t, token)
	ctx := context.Background()
	good := newTestRegistry(t, &config.Config{Repos: []config.Repo{{Name: "apps", Host: "none", URL: u.url, TokenFile: writeSecret(t, "token", token)}}})
	if _, _, err := good.Tree(ctx, u.url, "main"); err != nil {
		t.Fatalf("with tokenFile: %v", err)
	}
	app := newTestRegistry(t, &config.Config{Repos: []config.Repo{{Name: "acme/apps", Host: "github", URL: u.url}}},
		WithHostToken(func(context.Context, config.Repo) (string, error) { return token, nil }))
	if _, _, err := app.Tree(ctx, u.url, "main"); err != nil {
		t.Fatalf("with the App installation token: %v", err)
	}
	const wrong = "ghs_wr0ngT0kenValue"
	bad := newTestRegistry(t, &config.Config{Repos: []config.Repo{{Name: "apps", Host: "none", URL: u.url, TokenFile: writeSecret(t, "token", wrong)}}})
	_, _, err := bad.Tree(ctx, u.url, "main")
	if err == nil {
		t.Fatal("a wrong token was accepted")
	}
	for _, secret := range []string{wrong, base64.StdEncoding.EncodeToString([]byte("x-access-token:" + wrong))} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows the token: %v", err)
		}
	}
	if !strings.Contains(err.Error(), u.url) {
		t.Errorf("error %v does not name the repository", err)
	}
}

func TestSSHCredentialsComeFromTheKeyAndKnownHostsFiles(t *testing.T) {
	repo := config.Repo{Name: "acme/apps", Host: "github", URL: "git@git.example:acme/apps.git", SSHKeyFile: "/keys/id", KnownHostsFile: "/keys/known_hosts"}
	hostToken := func(context.Context, config.Repo) (string, error) { return "ghs_unused", nil }
	o := repoOptions(&config.Config{}, repo, "/cache", hostToken, nil)
	if o.SSHKeyFile != "/keys/id" || o.SSHKnownHostsFile != "/keys/known_hosts" || o.Token != "" || o.TokenSource != nil ||
		o.Location != repo.URL || o.CacheDir != "/cache" {
		t.Errorf("options = %+v; want the key and known_hosts paths set once, no token", o)
	}
}

func TestRepositoryDownIsAClearErrorAndOthersStillRead(t *testing.T) {
	up := newUpstream(t, "")
	down := newUpstream(t, "")
	down.server.Close()
	r := newTestRegistry(t, &config.Config{Repos: []config.Repo{
		{Name: "up", Host: "none", URL: up.url}, {Name: "down", Host: "none", URL: down.url}}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _, err := r.Tree(ctx, down.url, "main")
	if err == nil || !strings.Contains(err.Error(), down.url) {
		t.Errorf("repository down: %v; want an error naming %s", err, down.url)
	}
	if _, _, err := r.Tree(ctx, up.url, "main"); err != nil {
		t.Errorf("the other repository: %v", err)
	}
}
