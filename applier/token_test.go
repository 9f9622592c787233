package applier

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// authServer is a TLS API server that answers /version and any namespace
// read, and records the Authorization header of each request.
type authServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newAuthServer(t *testing.T) *authServer {
	a := &authServer{}
	a.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Header.Get("Authorization"))
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/version" {
			_, _ = w.Write([]byte(`{"gitVersion":"v1.37.2"}`))
			return
		}
		_, _ = w.Write([]byte(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"default"}}`))
	}))
	t.Cleanup(a.Close)
	return a
}

// last returns the Authorization header of the last request.
func (a *authServer) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.seen) == 0 {
		return ""
	}
	return a.seen[len(a.seen)-1]
}

func (a *authServer) caPEM(t *testing.T) []byte {
	t.Helper()
	return pemCert(a.Certificate().Raw)
}

// TestRotatedTokenFileIsUsedByTheNextRequest: a cluster reached with a
// token file keeps working across a rotation of the file, as Kubernetes
// rotates a mounted Secret, without a new Fleet.
func TestRotatedTokenFileIsUsedByTheNextRequest(t *testing.T) {
	srv := newAuthServer(t)
	file := filepath.Join(t.TempDir(), "east.token")
	if err := os.WriteFile(file, []byte("first-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := NewFleet([]ClusterConfig{{Name: "east", Server: srv.URL, TokenFile: file, CAData: srv.caPEM(t)}}, FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ask := func() string {
		t.Helper()
		if _, err := f.Manager("east").NamespaceExists(context.Background(), "default"); err != nil {
			t.Fatal(err)
		}
		return srv.last()
	}
	if got := ask(); got != "Bearer first-token" {
		t.Fatalf("first request carries %q", got)
	}
	// A new file renamed over the old, as the kubelet's symlink swap does.
	next := file + ".new"
	if err := os.WriteFile(next, []byte("second-token-rotated\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, file); err != nil {
		t.Fatal(err)
	}
	if got := ask(); got != "Bearer second-token-rotated" {
		t.Errorf("request after the rotation carries %q, want the new token", got)
	}
}

// TestFleetUpdateSwapsTheToken: a cluster Secret whose token changed is
// applied with Fleet.Update, and the same Manager's next request carries
// the new token; a changed server gives a new Manager.
func TestFleetUpdateSwapsTheToken(t *testing.T) {
	srv := newAuthServer(t)
	cc := ClusterConfig{Name: "west", Server: srv.URL, Token: "old", CAData: srv.caPEM(t)}
	f, err := NewFleet([]ClusterConfig{cc}, FleetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := f.Manager("west")
	cc.Token = "new"
	if err := f.Update(cc); err != nil {
		t.Fatal(err)
	}
	if f.Manager("west") != m {
		t.Error("a new token replaced the Manager; want the same one with the new token")
	}
	if _, err := m.ServerVersion(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := srv.last(); got != "Bearer new" {
		t.Errorf("request after Update carries %q, want Bearer new", got)
	}
	other := newAuthServer(t)
	cc.Server, cc.CAData = other.URL, other.caPEM(t)
	if err := f.Update(cc); err != nil {
		t.Fatal(err)
	}
	if f.Manager("west") == m {
		t.Error("a new server kept the old Manager")
	}
	if r := f.Reachability(context.Background()); !r["west"] {
		t.Errorf("Reachability = %v, want west reachable", r)
	}
	f.Remove("west")
	if f.Manager("west") != nil || len(f.Clusters()) != 0 {
		t.Error("Remove left the cluster in the Fleet")
	}
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
