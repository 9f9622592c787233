package sources

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/planner"
)

// chartServer is a Helm chart repository: an index.yaml and the archives
// it lists, served by httptest, counting every request.
type chartServer struct {
	*httptest.Server
	requests atomic.Int64
	// user and password, when set, are the only basic auth accepted.
	user, password string

	mu       sync.Mutex
	archives map[string][]byte // file name -> .tgz
	index    *repo.IndexFile
	// authSeen counts requests that carried an Authorization header.
	authSeen atomic.Int64
}

func newChartServer(t testing.TB, tls bool) *chartServer {
	t.Helper()
	s := &chartServer{archives: map[string][]byte{}, index: repo.NewIndexFile()}
	h := http.HandlerFunc(s.serve)
	if tls {
		s.Server = httptest.NewTLSServer(h)
	} else {
		s.Server = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s
}

func (s *chartServer) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.Header.Get("Authorization") != "" {
		s.authSeen.Add(1)
	}
	if s.user != "" {
		if u, p, ok := r.BasicAuth(); !ok || u != s.user || p != s.password {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.TrimPrefix(r.URL.Path, "/charts/")
	if name == "index.yaml" {
		s.index.SortEntries()
		b, _ := yaml.Marshal(s.index)
		w.Write(b)
		return
	}
	if data, ok := s.archives[name]; ok {
		w.Write(data)
		return
	}
	http.NotFound(w, r)
}

// publish adds a chart version; url "" means the relative file name.
func (s *chartServer) publish(t testing.TB, name, version string, padding int, url string) []byte {
	t.Helper()
	data := chartArchive(t, name, version, padding)
	file := name + "-" + version + ".tgz"
	s.mu.Lock()
	defer s.mu.Unlock()
	s.archives[file] = data
	if url == "" {
		url = file
	}
	md := &chart.Metadata{APIVersion: "v2", Name: name, Version: version}
	if err := s.index.MustAdd(md, url, "", digestOf(data)[len("sha256:"):]); err != nil {
		t.Fatal(err)
	}
	return data
}

func (s *chartServer) repoURL() string { return s.URL + "/charts" }

func helmConfig(repos ...config.HelmRepo) *config.Config { return &config.Config{HelmRepos: repos} }

func TestChartVersionRangesResolveLikeHelm(t *testing.T) {
	s := newChartServer(t, false)
	for _, v := range []string{"1.15.0", "v1.16.0", "v1.16.1", "v1.16.2-rc.1", "2.0.0"} {
		s.publish(t, "cert-manager", v, 0, "")
	}
	want := s.publish(t, "cert-manager", "1.16.3", 0, "")
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL()}))
	for _, tc := range []struct{ version, want string }{
		{"v1.16.*", "1.16.3"}, {">=1.2 <2", "1.16.3"}, {"~1.16.0", "1.16.3"}, {"1.15.0", "1.15.0"},
		{"v1.16.1", "v1.16.1"}, {"1.16.1", "v1.16.1"}, {"", "2.0.0"}, {">=1.16.2-rc.0 <1.16.3", "v1.16.2-rc.1"},
	} {
		a, err := r.Chart(context.Background(), s.repoURL(), "cert-manager", tc.version, 1<<20)
		if err != nil {
			t.Fatalf("Chart(%q): %v", tc.version, err)
		}
		if a.Version != tc.want || a.Digest != digestOf(a.Data) {
			t.Errorf("Chart(%q) = %s (%s), want %s", tc.version, a.Version, a.Digest, tc.want)
		}
	}
	a, _ := r.Chart(context.Background(), s.repoURL(), "cert-manager", "1.16.3", 1<<20)
	if string(a.Data) != string(want) {
		t.Error("the archive is not the one published")
	}
}

func TestChartCacheHitMakesNoRequestEvenWithTheRepositoryGone(t *testing.T) {
	s := newChartServer(t, false)
	s.publish(t, "podinfo", "6.7.0", 0, "")
	dataDir := t.TempDir()
	cfg := helmConfig(config.HelmRepo{URL: s.repoURL()})
	r, err := New(cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cold, err := r.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if n := s.requests.Load(); n != 2 {
		t.Errorf("cold fetch made %d requests, want 2 (index.yaml and the archive)", n)
	}
	if _, err := r.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Chart(ctx, s.repoURL(), "podinfo", "6.7.*", 1<<20); err != nil {
		t.Fatal(err)
	}
	if n := s.requests.Load(); n != 2 || r.ChartRequests(s.repoURL()) != 2 {
		t.Errorf("cache hits made %d requests (registry counted %d), want none", n-2, r.ChartRequests(s.repoURL())-2)
	}
	s.Close()
	restarted, err := New(cfg, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	warm, err := restarted.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20)
	if err != nil || warm.Digest != cold.Digest || warm.Version != "6.7.0" {
		t.Fatalf("after a restart with the repository down: %+v, %v; want the cached archive", warm.Version, err)
	}
	if restarted.ChartRequests(s.repoURL()) != 0 {
		t.Error("a restarted registry went to the network for a cached exact version")
	}
}

func TestChartRepositoryDownIsAClearError(t *testing.T) {
	s := newChartServer(t, false)
	url := s.repoURL()
	s.Close()
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: url}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := r.Chart(ctx, url, "podinfo", "6.7.0", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "chart repository "+url+": GET index.yaml: ") || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("error %v; want \"chart repository %s: GET index.yaml: ... connection refused\"", err, url)
	}
}

func TestChartCredentialsOverTLSWithCAFile(t *testing.T) {
	s := newChartServer(t, true)
	s.user, s.password = "robot", "pa55-w0rd-value"
	s.publish(t, "podinfo", "6.7.0", 0, "")
	ca := writeCAFile(t, s.Server)
	ctx := context.Background()
	good := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: ca,
		UsernameFile: writeSecret(t, "user", "robot"), PasswordFile: writeSecret(t, "pass", s.password)}))
	if _, err := good.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20); err != nil {
		t.Fatalf("with the right credentials and caFile: %v", err)
	}
	const wrong = "wr0ng-pa55-value"
	bad := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: ca,
		UsernameFile: writeSecret(t, "user", "robot"), PasswordFile: writeSecret(t, "pass", wrong)}))
	_, err := bad.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20)
	if err == nil || !strings.Contains(err.Error(), "401 Unauthorized") || !strings.Contains(err.Error(), "refused the credentials") || strings.Contains(err.Error(), wrong) {
		t.Errorf("wrong password: %v; want 401 named, the password not shown", err)
	}
	none := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: ca}))
	if _, err := none.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20); err == nil || !strings.Contains(err.Error(), "wants credentials") {
		t.Errorf("no credentials: %v", err)
	}
	noCA := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL()}))
	if _, err := noCA.Chart(ctx, s.repoURL(), "podinfo", "6.7.0", 1<<20); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without caFile: %v; want a certificate error", err)
	}
}

func TestChartCredentialsStayOnTheRepositoryHost(t *testing.T) {
	assets := newChartServer(t, false)
	data := chartArchive(t, "podinfo", "6.7.0", 0)
	assets.archives["podinfo-6.7.0.tgz"] = data
	s := newChartServer(t, true)
	s.user, s.password = "robot", "pa55-w0rd-value"
	s.publish(t, "podinfo", "6.7.0", 0, assets.URL+"/charts/podinfo-6.7.0.tgz")
	s.index.Entries["podinfo"][0].Digest = digestOf(data)[len("sha256:"):]
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL(), CAFile: writeCAFile(t, s.Server),
		UsernameFile: writeSecret(t, "user", "robot"), PasswordFile: writeSecret(t, "pass", s.password)}))
	if _, err := r.Chart(context.Background(), s.repoURL(), "podinfo", "6.7.0", 1<<20); err != nil {
		t.Fatal(err)
	}
	if assets.requests.Load() != 1 || assets.authSeen.Load() != 0 {
		t.Errorf("the archive host got %d requests, %d with credentials; want 1 without", assets.requests.Load(), assets.authSeen.Load())
	}
}

func TestChartVersionNotFoundListsTheNearest(t *testing.T) {
	s := newChartServer(t, false)
	for _, v := range []string{"1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0", "2.0.0", "3.0.0"} {
		s.publish(t, "podinfo", v, 0, "")
	}
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL()}))
	_, err := r.Chart(context.Background(), s.repoURL(), "podinfo", "1.3.5", 1<<20)
	var nf *VersionNotFoundError
	if !errors.As(err, &nf) || strings.Join(nf.Nearest, " ") != "2.0.0 1.4.0 1.3.0 1.2.0 1.1.0" {
		t.Errorf("1.3.5: %v; want the versions around it", err)
	}
	_, err = r.Chart(context.Background(), s.repoURL(), "podinfo", "v9.*", 1<<20)
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), `version "v9.*" not found in `+s.repoURL()+"; nearest available: 3.0.0, 2.0.0") {
		t.Errorf("v9.*: %v", err)
	}
	var cnf *ChartNotFoundError
	if _, err := r.Chart(context.Background(), s.repoURL(), "nginx", "1.0.0", 1<<20); !errors.As(err, &cnf) {
		t.Errorf("unknown chart: %v", err)
	}
}

func TestOversizedChartIsRefused(t *testing.T) {
	s := newChartServer(t, false)
	big := s.publish(t, "big", "1.0.0", 64<<10, "")
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: s.repoURL()}))
	_, err := r.Chart(context.Background(), s.repoURL(), "big", "1.0.0", int64(len(big)-1))
	if err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Errorf("archive of %d bytes with a limit one less: %v", len(big), err)
	}
	if _, err := r.Chart(context.Background(), s.repoURL(), "big", "1.0.0", int64(len(big))); err != nil {
		t.Errorf("at the limit: %v", err)
	}
}

func TestUnlistedChartRepositoryIsRefusedWithoutContact(t *testing.T) {
	listed := newChartServer(t, false)
	other := newChartServer(t, false)
	other.publish(t, "podinfo", "6.7.0", 0, "")
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: listed.repoURL()}))
	_, err := r.Chart(context.Background(), other.repoURL(), "podinfo", "6.7.0", 1<<20)
	var unlisted *planner.UnlistedSourceError
	if !errors.As(err, &unlisted) || !unlisted.Chart || other.requests.Load() != 0 {
		t.Errorf("unlisted chart repository: %v, %d requests; want an UnlistedSourceError and none", err, other.requests.Load())
	}
	if _, err := r.Chart(context.Background(), listed.repoURL(), "../../etc/passwd", "1.0.0", 1<<20); err == nil || listed.requests.Load() != 0 {
		t.Errorf("a chart name with a path: %v", err)
	}
}

func TestChartIndexIsKeptForItsTTL(t *testing.T) {
	s := newChartServer(t, false)
	s.publish(t, "podinfo", "6.7.0", 0, "")
	ctx := context.Background()
	long := newTestRegistry(t, &config.Config{HelmIndexTTL: config.Duration(time.Hour), HelmRepos: []config.HelmRepo{{URL: s.repoURL()}}})
	short := newTestRegistry(t, &config.Config{HelmIndexTTL: config.Duration(time.Nanosecond), HelmRepos: []config.HelmRepo{{URL: s.repoURL()}}})
	for _, r := range []*Registry{long, short} {
		if a, err := r.Chart(ctx, s.repoURL(), "podinfo", "6.*", 1<<20); err != nil || a.Version != "6.7.0" {
			t.Fatalf("%v %v", a.Version, err)
		}
	}
	s.publish(t, "podinfo", "6.8.0", 0, "")
	if a, _ := long.Chart(ctx, s.repoURL(), "podinfo", "6.*", 1<<20); a.Version != "6.7.0" {
		t.Errorf("within the TTL the range resolved to %s, want 6.7.0 from the kept index", a.Version)
	}
	if a, _ := short.Chart(ctx, s.repoURL(), "podinfo", "6.*", 1<<20); a.Version != "6.8.0" {
		t.Errorf("after the TTL the range resolved to %s, want the new 6.8.0", a.Version)
	}
}

func TestChartFetchStopsAtTheContextDeadline(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	hang, hangTLS := httptest.NewServer(h), httptest.NewTLSServer(h)
	defer hang.Close()
	defer hangTLS.Close()
	defer close(release)
	oci := "oci://" + strings.TrimPrefix(hangTLS.URL, "https://") + "/charts"
	r := newTestRegistry(t, helmConfig(config.HelmRepo{URL: hang.URL}, config.HelmRepo{URL: oci, CAFile: writeCAFile(t, hangTLS)}))
	for _, url := range []string{hang.URL, oci} {
		for _, version := range []string{"1.0.0", "1.*"} {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			start := time.Now()
			_, err := r.Chart(ctx, url, "podinfo", version, 1<<20)
			cancel()
			if err == nil || !strings.Contains(err.Error(), "deadline exceeded") || time.Since(start) > 5*time.Second {
				t.Errorf("%s at %s: %v after %s; want a deadline error at 300ms", url, version, err, time.Since(start))
			}
		}
	}
}
