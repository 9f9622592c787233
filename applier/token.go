package applier

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// BearerToken is a cluster token that can change while clients use it.
// A token read from a file is read again when the file's modification time
// or size changes (Kubernetes updates a mounted Secret by swapping a
// symlink), checked on every request; a token from an Argo CD cluster
// Secret is replaced with Set by whoever watches the Secret. The next
// request after a change carries the new token, without a restart.
type BearerToken struct {
	file string

	mu      sync.Mutex
	token   string
	modTime time.Time
	size    int64
}

// NewStaticToken holds token until Set replaces it.
func NewStaticToken(token string) *BearerToken { return &BearerToken{token: token} }

// NewFileToken reads the token in path now and again whenever it changes.
func NewFileToken(path string) (*BearerToken, error) {
	t := &BearerToken{file: path}
	if _, err := t.Token(); err != nil {
		return nil, err
	}
	return t, nil
}

// Set replaces the token.
func (t *BearerToken) Set(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.token = token
}

// Token returns the current token, reading its file again if the file
// changed. When a changed file cannot be read the last token is kept
// and the error returned.
func (t *BearerToken) Token() (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.file == "" {
		return t.token, nil
	}
	fi, err := os.Stat(t.file)
	if err != nil {
		return t.token, fmt.Errorf("token file %s: %w", t.file, err)
	}
	if fi.ModTime().Equal(t.modTime) && fi.Size() == t.size && t.token != "" {
		return t.token, nil
	}
	b, err := os.ReadFile(t.file)
	if err != nil {
		return t.token, fmt.Errorf("read token file %s: %w", t.file, err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return t.token, fmt.Errorf("token file %s is empty", t.file)
	}
	t.token, t.modTime, t.size = tok, fi.ModTime(), fi.Size()
	return t.token, nil
}

// wrap is a rest.Config WrapTransport that sets the Authorization header
// of every request from the current token.
func (t *BearerToken) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		tok, err := t.Token()
		if tok == "" {
			return nil, err
		}
		req = req.Clone(req.Context())
		req.Header.Set("Authorization", "Bearer "+tok)
		return rt.RoundTrip(req)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
