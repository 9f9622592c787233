package sources

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v3/pkg/registry"

	"github.com/gitwave/gitwave/config"
)

// ociServer is an in-process OCI registry over TLS, counting requests,
// with optional basic auth.
type ociServer struct {
	*httptest.Server
	requests       atomic.Int64
	user, password string
	ca             string
}

func newOCIServer(t testing.TB, user, password string) *ociServer {
	t.Helper()
	s := &ociServer{user: user, password: password}
	reg := ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)))
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if s.user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.password {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	s.ca = writeCAFile(t, s.Server)
	return s
}

// host is the registry's host:port.
func (s *ociServer) host() string { return strings.TrimPrefix(s.URL, "https://") }

// push publishes a chart with Helm's registry client under charts/NAME.
func (s *ociServer) push(t testing.TB, name, version string, padding int) []byte {
	t.Helper()
	data := chartArchive(t, name, version, padding)
	opts := []registry.ClientOption{registry.ClientOptHTTPClient(s.Client()), registry.ClientOptWriter(io.Discard),
		registry.ClientOptCredentialsFile(t.TempDir() + "/none.json")}
	if s.user != "" {
		opts = append(opts, registry.ClientOptBasicAuth(s.user, s.password))
	}
	c, err := registry.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	before := s.requests.Load()
	if _, err := c.Push(data, s.host()+"/charts/"+name+":"+version); err != nil {
		t.Fatalf("push %s %s: %v", name, version, err)
	}
	s.requests.Add(-(s.requests.Load() - before)) // count only gitwave's requests
	return data
}

func (s *ociServer) repoURL() string { return "oci://" + s.host() + "/charts" }

func TestOCIChartsByTagRangeAndCache(t *testing.T) {
	s := newOCIServer(t, "", "")
	for _, v := range []string{"1.0.0", "1.1.0", "1.1.5", "2.0.0"} {
		s.push(t, "podinfo", v, 0)
	}
	want := s.push(t, "podinfo", "1.2.0", 0)
	dataDir := t.TempDir()
	cfg := helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: s.ca})
	r, err := New(cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct{ version, want string }{{"1.0.0", "1.0.0"}, {"~1.1", "1.1.5"}, {">=1.1 <2", "1.2.0"}, {"1.x", "1.2.0"}} {
		a, err := r.Chart(ctx, s.repoURL(), "podinfo", tc.version, 1<<20)
		if err != nil || a.Version != tc.want || a.Digest != digestOf(a.Data) {
			t.Fatalf("Chart(%q) = %s, %v; want %s", tc.version, a.Version, err, tc.want)
		}
	}
	before := s.requests.Load()
	a, err := r.Chart(ctx, s.repoURL(), "podinfo", "1.2.0", 1<<20)
	if err != nil || string(a.Data) != string(want) {
		t.Fatalf("exact 1.2.0: %v", err)
	}
	if n := s.requests.Load() - before; n != 0 {
		t.Errorf("a cached exact version made %d requests, want 0", n)
	}
	s.Close()
	restarted, err := New(cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if a, err := restarted.Chart(ctx, s.repoURL(), "podinfo", "1.1.5", 1<<20); err != nil || a.Version != "1.1.5" {
		t.Errorf("with the registry down, a cached version: %v", err)
	}
}

func TestOCICredentialsAndErrors(t *testing.T) {
	const password = "oci-s3cret-value"
	s := newOCIServer(t, "robot", password)
	s.push(t, "podinfo", "1.0.0", 0)
	s.push(t, "podinfo", "1.1.0", 0)
	big := s.push(t, "big", "1.0.0", 64<<10)
	ctx := context.Background()
	good := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: s.ca,
		UsernameFile: writeSecret(t, "user", "robot"), PasswordFile: writeSecret(t, "pass", password)}))
	if _, err := good.Chart(ctx, s.repoURL(), "podinfo", "1.0.0", 1<<20); err != nil {
		t.Fatalf("with the right credentials: %v", err)
	}
	_, err := good.Chart(ctx, s.repoURL(), "podinfo", "1.0.7", 1<<20)
	var nf *VersionNotFoundError
	if !errors.As(err, &nf) || strings.Join(nf.Nearest, " ") != "1.1.0 1.0.0" {
		t.Errorf("missing tag: %v; want the nearest tags", err)
	}
	var cnf *ChartNotFoundError
	if _, err := good.Chart(ctx, s.repoURL(), "nginx", "1.0.0", 1<<20); !errors.As(err, &cnf) {
		t.Errorf("missing chart: %v; want a ChartNotFoundError", err)
	}
	if _, err := good.Chart(ctx, s.repoURL(), "big", "1.0.0", int64(len(big)-1)); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("oversized chart: %v", err)
	}
	const wrong = "wr0ng-oci-value"
	bad := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: s.ca,
		UsernameFile: writeSecret(t, "user", "robot"), PasswordFile: writeSecret(t, "pass", wrong)}))
	_, err = bad.Chart(ctx, s.repoURL(), "podinfo", "1.0.0", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || strings.Contains(err.Error(), wrong) {
		t.Errorf("wrong password: %v; want 401 named and the password not shown", err)
	}
	_, err = bad.Chart(ctx, s.repoURL(), "podinfo", "1.*", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "refused the credentials") {
		t.Errorf("wrong password, range: %v", err)
	}
}

func TestOCIRegistryDownIsAClearError(t *testing.T) {
	s := newOCIServer(t, "", "")
	url, ca := s.repoURL(), s.ca
	s.Close()
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: url, CAFile: ca}))
	_, err := r.Chart(context.Background(), url, "podinfo", "1.0.0", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "chart repository "+url) || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("registry down: %v", err)
	}
}
