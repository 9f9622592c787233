package sources

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"

	"github.com/gitwave/gitwave/config"
)

// maxIndexBytes bounds a chart repository's index.yaml.
const maxIndexBytes = 64 << 20

// repoCredentials are a chart repository's basic-auth credentials.
type repoCredentials struct {
	username, password string
}

// set reports whether credentials are configured.
func (c repoCredentials) set() bool { return c.username != "" || c.password != "" }

// readHelmCredentials reads a helmRepos[] entry's username and password
// files.
func readHelmCredentials(cfg *config.Config, hr config.HelmRepo) (repoCredentials, error) {
	if hr.UsernameFile == "" {
		return repoCredentials{}, nil
	}
	user, err := cfg.ReadSecret(hr.UsernameFile)
	if err != nil {
		return repoCredentials{}, err
	}
	pass, err := cfg.ReadSecret(hr.PasswordFile)
	if err != nil {
		return repoCredentials{}, err
	}
	return repoCredentials{username: user, password: pass}, nil
}

// newTransport returns an HTTP transport that trusts the system's roots
// and, when caFile is set, the certificates in it.
func newTransport(caFile string) (*http.Transport, error) {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	if caFile == "" {
		return t, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("read caFile: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("caFile %s holds no PEM certificate", caFile)
	}
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

// httpGetter downloads from one chart repository.
type httpGetter struct {
	repoURL *url.URL
	creds   repoCredentials
	client  *http.Client
	// requests counts every request sent, for tests and benchmarks.
	requests func()
}

// get downloads u, at most limit bytes, under ctx. Credentials are sent
// only to the repository's own scheme and host. what names the download
// in errors ("index.yaml", "cert-manager-v1.16.1.tgz").
func (g *httpGetter) get(ctx context.Context, u *url.URL, limit int64, what string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", what, err)
	}
	if g.creds.set() && u.Scheme == g.repoURL.Scheme && u.Host == g.repoURL.Host {
		req.SetBasicAuth(g.creds.username, g.creds.password)
	}
	if g.requests != nil {
		g.requests()
	}
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", what, describeNetError(err))
	}
	defer resp.Body.Close()
	if err := statusError(resp, g.creds.set()); err != nil {
		return nil, fmt.Errorf("GET %s: %w", what, err)
	}
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("GET %s: %d bytes, more than the limit of %d", what, resp.ContentLength, limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", what, describeNetError(err))
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("GET %s: more than the limit of %d bytes", what, limit)
	}
	return data, nil
}

// statusError describes a non-2xx response; 401 and 403 say whether
// credentials were sent.
func statusError(resp *http.Response, withCreds bool) error {
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		if withCreds {
			return fmt.Errorf("%s: the repository refused the credentials of usernameFile and passwordFile", resp.Status)
		}
		return fmt.Errorf("%s: the repository wants credentials (set usernameFile and passwordFile)", resp.Status)
	default:
		return fmt.Errorf("%s", resp.Status)
	}
}

// describeNetError drops the *url.Error wrapper (which repeats the URL)
// and names a deadline.
func describeNetError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

// ctxTransport makes every request of a client that ignores contexts (the
// Helm registry client) run under ctx, and bounds every response body.
type ctxTransport struct {
	base     http.RoundTripper
	ctx      context.Context
	limit    int64
	requests func()
}

// RoundTrip sends req under t.ctx.
func (t *ctxTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.requests != nil {
		t.requests()
	}
	resp, err := t.base.RoundTrip(req.WithContext(t.ctx))
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > t.limit {
		resp.Body.Close()
		return nil, &tooLargeError{size: resp.ContentLength, limit: t.limit}
	}
	resp.Body = &limitedBody{ReadCloser: resp.Body, left: t.limit, limit: t.limit}
	return resp, nil
}

// tooLargeError is a download beyond the size limit.
type tooLargeError struct{ size, limit int64 }

func (e *tooLargeError) Error() string {
	if e.size < 0 {
		return fmt.Sprintf("more than the limit of %d bytes", e.limit)
	}
	return fmt.Sprintf("%d bytes, more than the limit of %d", e.size, e.limit)
}

// limitedBody fails once more than left bytes are read.
type limitedBody struct {
	io.ReadCloser
	left, limit int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, &tooLargeError{size: -1, limit: b.limit}
	}
	return n, err
}

// repoClient is an http.Client for one repository: no overall timeout
// (the caller's context bounds each request), at most 5 redirects.
func repoClient(t http.RoundTripper) *http.Client {
	return &http.Client{Transport: t, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return fmt.Errorf("stopped after 5 redirects")
		}
		return nil
	}}
}
