// Package gitserver serves Git repositories over smart HTTP for tests, with
// the real git http-backend, and admits only the token currently valid, as a
// Git host admits a short-lived installation token until it expires.
package gitserver

import (
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Server serves the bare repositories under one root directory.
type Server struct {
	// URL is the server's base URL; a repository is URL + "/" + its path
	// under the root.
	URL string
	// Root is the directory holding the bare repositories.
	Root string

	mu    sync.Mutex
	valid string
	seen  []string
}

// New starts a server, closed when the test ends. Pushes are accepted.
// Until Rotate is called no request is admitted.
func New(t testing.TB) *Server {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatalf("git --exec-path: %v", err)
	}
	s := &Server{Root: t.TempDir()}
	backend := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend"),
		Env: []string{"GIT_PROJECT_ROOT=" + s.Root, "GIT_HTTP_EXPORT_ALL=1", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_CONFIG_GLOBAL=" + os.DevNull, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.receivepack", "GIT_CONFIG_VALUE_0=true"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pw, _ := r.BasicAuth()
		s.mu.Lock()
		s.seen = append(s.seen, pw)
		ok := pw != "" && pw == s.valid
		s.mu.Unlock()
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// AddClone serves a bare clone of the repository at dir under path (such as
// "org/repo.git") and returns its URL and its directory, which the test may
// push to.
func (s *Server) AddClone(t testing.TB, path, dir string) (url, bare string) {
	t.Helper()
	bare = filepath.Join(s.Root, filepath.FromSlash(path))
	if out, err := exec.Command("git", "clone", "--quiet", "--bare", dir, bare).CombinedOutput(); err != nil {
		t.Fatalf("git clone --bare %s: %v\n%s", dir, err, out)
	}
	return s.URL + "/" + path, bare
}

// Rotate makes token the only one the server admits.
func (s *Server) Rotate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.valid = token
}

// Passwords returns the password of every request since the last call
// ("" for a request without credentials).
func (s *Server) Passwords() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	got := s.seen
	s.seen = nil
	return got
}

// ExpectOnly fails the test unless requests came since the last call (of
// Passwords or ExpectOnly) and every one of them carried token.
func (s *Server) ExpectOnly(t testing.TB, token string) {
	t.Helper()
	seen := s.Passwords()
	if len(seen) == 0 {
		t.Fatal("the server saw no request")
	}
	for _, pw := range seen {
		if pw != token {
			t.Errorf("server saw password %q, want only %q", pw, token)
		}
	}
}
