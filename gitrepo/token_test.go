package gitrepo

import (
	"encoding/base64"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

const testToken = "ghs_s3cr3tT0kenValue"

// closedPortURL returns an http URL on 127.0.0.1 where nothing listens.
func closedPortURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/org/repo.git"
}

func TestTokenNeverInErrors(t *testing.T) {
	secretB64 := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + testToken))
	url := closedPortURL(t)
	tests := []struct {
		name string
		o    Options
	}{
		{"token option", Options{Location: url, Token: testToken}},
		{"password in URL", Options{Location: strings.Replace(url, "http://", "http://user:"+testToken+"@", 1)}},
		{"token in user part", Options{Location: strings.Replace(url, "http://", "http://"+testToken+"@", 1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.CacheDir = t.TempDir()
			_, err := Open(testContext(t), tt.o)
			if err == nil {
				t.Fatal("Open of a closed port succeeded")
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), secretB64) {
				t.Errorf("error reveals the token: %v", err)
			}
			if !strings.Contains(err.Error(), "127.0.0.1") {
				t.Errorf("error %q does not name the repository", err)
			}
			assertNotOnDisk(t, tt.o.CacheDir, testToken)
		})
	}
}

func TestTokenSentAsBasicAuthHeader(t *testing.T) {
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, "no repository here", http.StatusNotFound)
	}))
	defer srv.Close()

	cache := t.TempDir()
	_, err := Open(testContext(t), Options{Location: srv.URL + "/org/repo.git", Token: testToken, CacheDir: cache})
	if err == nil {
		t.Fatal("Open of a missing repository succeeded")
	}
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("error reveals the token: %v", err)
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+testToken))
	mu.Lock()
	defer mu.Unlock()
	if len(got) == 0 || got[0] != want {
		t.Errorf("server saw Authorization %q, want %q", got, want)
	}
	assertNotOnDisk(t, cache, testToken)
}

// assertNotOnDisk fails if any file under dir contains secret.
func assertNotOnDisk(t *testing.T, dir, secret string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), secret) {
			t.Errorf("%s contains the token", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNoTokenNoHeader(t *testing.T) {
	var got []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Get("Authorization"))
		mu.Unlock()
		http.Error(w, "no repository here", http.StatusNotFound)
	}))
	defer srv.Close()
	if _, err := Open(testContext(t), Options{Location: srv.URL + "/org/repo.git", CacheDir: t.TempDir()}); err == nil {
		t.Fatal("Open of a missing repository succeeded")
	}
	mu.Lock()
	defer mu.Unlock()
	for _, h := range got {
		if h != "" {
			t.Errorf("server saw Authorization %q without a token", h)
		}
	}
}
