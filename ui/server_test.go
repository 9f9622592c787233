package ui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/store"
)

func newTestServer(t *testing.T, st Store, auth Auth) *Server {
	t.Helper()
	s, err := New(Options{Store: st, Auth: auth, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// get requests path from s and returns the status and body.
func get(t *testing.T, s http.Handler, method, path string, set func(*http.Request)) (int, string, http.Header) {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	if set != nil {
		set(r)
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b), w.Result().Header
}

func TestFleetGridShowsEachAppOnEachCluster(t *testing.T) {
	code, body, _ := get(t, newTestServer(t, twoApps(), Auth{}), "GET", "/", nil)
	if code != 200 {
		t.Fatalf("GET / = %d: %s", code, body)
	}
	for _, want := range []string{
		"<th>prod</th><th>staging</th>",
		`href="/app?app=guestbook&amp;cluster=staging&amp;repo=acme%2Fgitops"`,
		`<span class="badge ok">Synced</span><span class="badge ok">Healthy</span>`,
		`<span class="badge warn">OutOfSync</span><span class="badge bad">Degraded</span>`,
		`deployed <span class="rev" title="` + revA + `">a1b2c3d</span> <span class="drift">→ <span class="rev" title="` + revB + `">b2c3d4e</span>`,
		"attempt 3, next in 40s",
		"Succeeded 4m ago",
		`<td class="none">—</td>`, // billing runs on prod only
		"Synced 2", "OutOfSync 1",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("fleet page lacks %q:\n%s", want, body)
		}
	}
}

func TestAppPageShowsStatusHistoryAndPin(t *testing.T) {
	fs := twoApps()
	fs.history = []store.SyncRecord{
		{ID: 9, App: "billing", Cluster: "prod", Revision: revB, Trigger: "merge", Initiator: "alice", Phase: "Failed",
			StartedAt: testNow.Add(-time.Minute), FinishedAt: testNow.Add(-50 * time.Second), Message: "wave 0: Deployment billing not healthy",
			Objects: []store.ObjectResult{{Kind: "Deployment", Namespace: "pay", Name: "billing", Action: "configured", Health: "Degraded"}}},
		{ID: 4, App: "billing", Cluster: "prod", Revision: revA, Trigger: "merge", Phase: "Succeeded"},
	}
	fs.pins = []store.Pin{{App: "billing", Cluster: "prod", Revision: revA, Reason: "bad release", By: "bob", RevertPR: "acme/gitops#12", CreatedAt: testNow}}
	s := newTestServer(t, fs, Auth{})
	code, body, _ := get(t, s, "GET", AppPath("acme/gitops", "billing", "prod"), nil)
	if code != 200 {
		t.Fatalf("GET app = %d: %s", code, body)
	}
	for _, want := range []string{
		`<span id="app">billing</span> on <span id="cluster">prod</span>`,
		`<code id="deployed">` + revA + `</code>`, `<code id="desired">` + revB + `</code> <span class="drift">`,
		"Pinned to", "bad release", "acme/gitops#12",
		"gitwave stores no diff", "What the last sync, b2c3d4e (Failed), did to each object",
		`<td>Deployment</td><td>pay</td><td>billing</td><td><span class="badge changed">configured</span>`,
		`<td>9</td><td><span class="badge bad">Failed</span>`, "wave 0: Deployment billing not healthy", `<td>4</td>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("app page lacks %q:\n%s", want, body)
		}
	}
	_, body, _ = get(t, s, "GET", AppPath("acme/gitops", "guestbook", "prod"), nil)
	for _, want := range []string{"Not pinned", "No sync recorded yet", "gitwave stores no diff"} {
		if !strings.Contains(body, want) {
			t.Errorf("page of an app without history lacks %q", want)
		}
	}
	if code, _, _ := get(t, s, "GET", AppPath("acme/gitops", "nope", "prod"), nil); code != 404 {
		t.Errorf("unknown app = %d, want 404", code)
	}
}

// App names come from Git: a pull request could name an app <script>….
func TestAppNamesFromGitAreEscaped(t *testing.T) {
	evil := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	fs := &fakeStore{statuses: []store.AppStatus{{Repo: "acme/gitops", App: evil, Cluster: `c"><b>`, Project: "<i>p</i>",
		Sync: "<svg onload=x>", Health: "Healthy", DeployedRevision: `"><script>x()</script>`,
		LastSync: store.LastSync{Result: "Failed", Message: "<script>m()</script>", FinishedAt: testNow}}},
		history: []store.SyncRecord{{ID: 1, App: evil, Cluster: `c"><b>`, Phase: "Failed", Initiator: "<script>who()</script>",
			Message: "<script>h()</script>", Objects: []store.ObjectResult{{Kind: "ConfigMap", Name: "<script>o()</script>", Action: "failed"}}}}}
	s := newTestServer(t, fs, Auth{})
	for _, path := range []string{"/", AppPath("acme/gitops", evil, `c"><b>`)} {
		code, body, _ := get(t, s, "GET", path, nil)
		if code != 200 {
			t.Fatalf("GET %s = %d: %s", path, code, body)
		}
		for _, bad := range []string{"<script>", "<img", "<svg", "<b>", "<i>", "onerror=alert(2)>"} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s renders %q unescaped:\n%s", path, bad, body)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s does not show the app's name as text", path)
		}
	}
}

// The store keeps cluster messages, and an API server quotes the value it
// refuses: the page must not show it.
func TestPagesNeverShowSecretValues(t *testing.T) {
	const value = "hunter2-s3cr3t"
	refusal := `Secret "db" is invalid: data[password]: Invalid value: "` + value + `": must be base64`
	fs := &fakeStore{statuses: []store.AppStatus{{Repo: "r", App: "db", Cluster: "prod", Sync: "OutOfSync", Health: "Degraded",
		UnknownReason: "apply: Invalid value: " + value, LastSync: store.LastSync{Result: "Failed", Message: refusal}}},
		history: []store.SyncRecord{{ID: 1, App: "db", Cluster: "prod", Phase: "Failed", Message: refusal,
			Objects: []store.ObjectResult{{Kind: "Secret", Namespace: "pay", Name: "db", Action: "failed",
				Message: `apply Secret pay/db: field "stringData.password" = "` + value + `"`}}}},
		pins: []store.Pin{{App: "db", Cluster: "prod", Revision: revA, Reason: refusal}}}
	s := newTestServer(t, fs, Auth{})
	for _, path := range []string{"/", AppPath("r", "db", "prod")} {
		_, body, _ := get(t, s, "GET", path, nil)
		if strings.Contains(body, value) || strings.Contains(body, "hunter2") {
			t.Errorf("GET %s shows the Secret's value:\n%s", path, body)
		}
		if !strings.Contains(body, "***") {
			t.Errorf("GET %s does not say a value was hidden", path)
		}
	}
}

func TestPageIsReadOnly(t *testing.T) {
	s := newTestServer(t, twoApps(), Auth{})
	for _, m := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
		code, _, h := get(t, s, m, "/", nil)
		if code != http.StatusMethodNotAllowed || h.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s / = %d (Allow %q), want 405 with Allow: GET, HEAD", m, code, h.Get("Allow"))
		}
	}
	code, body, h := get(t, s, "HEAD", "/", nil)
	if code != 200 || body != "" || h.Get("Content-Length") == "0" {
		t.Errorf("HEAD / = %d, %d bytes of body, length %s; want 200, no body, the page's length", code, len(body), h.Get("Content-Length"))
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q lets the page load scripts", csp)
	}
}

func TestBasicAuthAndBearerToken(t *testing.T) {
	basic := newTestServer(t, twoApps(), Auth{Username: "ops", Password: "pw"})
	cases := []struct {
		name string
		set  func(*http.Request)
		want int
	}{
		{"none", nil, 401},
		{"wrong password", func(r *http.Request) { r.SetBasicAuth("ops", "pW") }, 401},
		{"wrong user", func(r *http.Request) { r.SetBasicAuth("root", "pw") }, 401},
		{"right", func(r *http.Request) { r.SetBasicAuth("ops", "pw") }, 200},
	}
	for _, tc := range cases {
		code, _, h := get(t, basic, "GET", "/", tc.set)
		if code != tc.want {
			t.Errorf("basic auth, %s: %d, want %d", tc.name, code, tc.want)
		}
		if code == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("basic auth, %s: no Basic challenge", tc.name)
		}
	}
	bearer := newTestServer(t, twoApps(), Auth{BearerToken: "t0ken"})
	for tok, want := range map[string]int{"": 401, "Bearer t0ke": 401, "Bearer t0kenX": 401, "Basic t0ken": 401, "Bearer t0ken": 200} {
		code, _, _ := get(t, bearer, "GET", AppPath("acme/gitops", "guestbook", "prod"), func(r *http.Request) { r.Header.Set("Authorization", tok) })
		if code != want {
			t.Errorf("bearer %q: %d, want %d", tok, code, want)
		}
	}
	if code, _, _ := get(t, bearer, "POST", "/", func(r *http.Request) { r.Header.Set("Authorization", "Bearer t0ken") }); code != 405 {
		t.Errorf("POST with the token = %d, want 405", code)
	}
}

func TestLinksNeedAnExternalURL(t *testing.T) {
	if got := AppURL("", "r", "a", "c"); got != "" {
		t.Errorf("AppURL without a base = %q, want none", got)
	}
	if got := AppURL("https://gw.example/", "acme/gitops", "a&b", "prod"); got != "https://gw.example/app?app=a%26b&cluster=prod&repo=acme%2Fgitops" {
		t.Errorf("AppURL = %q", got)
	}
}
