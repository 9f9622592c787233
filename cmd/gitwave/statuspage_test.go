package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/config"
	"github.com/gitwave/gitwave/store"
)

// loadUIConfig writes gitwave.yaml and the given files beside it, then
// loads it.
func loadUIConfig(t *testing.T, yaml string, files map[string]string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := filepath.Join(dir, "gitwave.yaml")
	if err := os.WriteFile(p, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestStatusPageIsOffUnlessConfiguredAndAsksForItsCredentials(t *testing.T) {
	st, err := store.Open(t.Context(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	off := loadUIConfig(t, `listen: ":8080"`, nil)
	if srv, err := newStatusPage(off, st, nil); srv != nil || err != nil {
		t.Errorf("without ui.listen: server %v, error %v; want none", srv, err)
	}
	on := loadUIConfig(t, `ui: {listen: "127.0.0.1:8081", basicAuth: {usernameFile: user, passwordFile: pass}}`,
		map[string]string{"user": "ops\n", "pass": "s3cret\n"})
	srv, err := newStatusPage(on, st, nil)
	if err != nil || srv == nil || srv.Addr != "127.0.0.1:8081" {
		t.Fatalf("with ui.listen: server %v, error %v", srv, err)
	}
	for _, tc := range []struct {
		user, pass string
		want       int
	}{{"", "", 401}, {"ops", "s3cret\n", 401}, {"ops", "s3cret", 200}} {
		r := httptest.NewRequest("GET", "/", nil)
		if tc.user != "" {
			r.SetBasicAuth(tc.user, tc.pass)
		}
		w := httptest.NewRecorder()
		srv.Handler.ServeHTTP(w, r)
		if w.Code != tc.want {
			t.Errorf("GET / as %q/%q = %d, want %d", tc.user, tc.pass, w.Code, tc.want)
		}
	}
	empty := loadUIConfig(t, `ui: {listen: ":8081", bearerTokenFile: token}`, map[string]string{"token": "\n"})
	if _, err := newStatusPage(empty, st, nil); err == nil || !strings.Contains(err.Error(), "ui.bearerTokenFile") {
		t.Errorf("empty token file: error %v, want one naming ui.bearerTokenFile (an empty token must not open the page)", err)
	}
}

// TestStatusPageCredentialsRotateWithoutRestart rotates the status page's
// password file, as a mounted Secret is updated: the new password is asked
// for at once and the old one refused. A file that goes missing or empty
// keeps the last password read; it never opens the page.
func TestStatusPageCredentialsRotateWithoutRestart(t *testing.T) {
	st, err := store.Open(t.Context(), store.Options{DSN: filepath.Join(t.TempDir(), "gitwave.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	user, pass := filepath.Join(dir, "user"), filepath.Join(dir, "pass")
	write := func(p, text string) {
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(user, "ops\n")
	write(pass, "first\n")
	cfg := loadUIConfig(t, `ui: {listen: "127.0.0.1:8081", basicAuth: {usernameFile: `+user+`, passwordFile: `+pass+`}}`, nil)
	srv, err := newStatusPage(cfg, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	get := func(password string) int {
		r := httptest.NewRequest("GET", "/", nil)
		r.SetBasicAuth("ops", password)
		w := httptest.NewRecorder()
		srv.Handler.ServeHTTP(w, r)
		return w.Code
	}
	steps := []struct {
		name  string
		edit  func()
		codes map[string]int
	}{
		{"at start", func() {}, map[string]int{"first": 200, "second": 401}},
		{"rotated", func() { write(pass, "second\n") }, map[string]int{"first": 401, "second": 200}},
		{"emptied", func() { write(pass, "") }, map[string]int{"first": 401, "second": 200, "": 401}},
		{"removed", func() { os.Remove(pass) }, map[string]int{"first": 401, "second": 200, "": 401}},
		{"written again", func() { write(pass, "third\n") }, map[string]int{"second": 401, "third": 200}},
	}
	for _, step := range steps {
		step.edit()
		for password, want := range step.codes {
			if got := get(password); got != want {
				t.Errorf("%s: GET / with password %q = %d, want %d", step.name, password, got, want)
			}
		}
	}
}
