package hostfake_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gitwave/gitwave/bot/hostfake"
)

// TestGitHubSignature checks the signature against the test vector in
// GitHub's documentation ("Validating webhook deliveries").
func TestGitHubSignature(t *testing.T) {
	got := hostfake.GitHubSignature([]byte("It's a Secret to Everybody"), []byte("Hello, World!"))
	if want := "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"; got != want {
		t.Errorf("GitHubSignature = %s; want GitHub's documented %s", got, want)
	}
}

func TestGitHubSignedRequest(t *testing.T) {
	fake := hostfake.NewGitHub(t)
	event, body := fake.Webhook(t, hostfake.GitHubWebhook{Example: "issue_comment.created", Repo: "acme/app",
		Number: 3, CommentBody: "/diff", Sender: "alice"})
	r1, r2 := fake.SignedRequest(event, body), fake.SignedRequest(event, body)
	if r1.Header.Get("X-GitHub-Event") != "issue_comment" ||
		r1.Header.Get("X-Hub-Signature-256") != hostfake.GitHubSignature(fake.WebhookSecret, body) {
		t.Errorf("headers = %v", r1.Header)
	}
	if r1.Header.Get("X-GitHub-Delivery") == r2.Header.Get("X-GitHub-Delivery") {
		t.Errorf("two deliveries share the id %s", r1.Header.Get("X-GitHub-Delivery"))
	}
	sent, _ := io.ReadAll(r1.Body)
	var p struct {
		Repository struct {
			FullName string `json:"full_name"`
		}
		Issue struct {
			Number      int
			PullRequest map[string]string `json:"pull_request"`
		}
		Comment struct {
			Body string
			User struct{ Login string }
		}
	}
	if err := json.Unmarshal(sent, &p); err != nil {
		t.Fatal(err)
	}
	if p.Repository.FullName != "acme/app" || p.Issue.Number != 3 || p.Issue.PullRequest["html_url"] == "" ||
		p.Comment.Body != "/diff" || p.Comment.User.Login != "alice" {
		t.Errorf("payload = %+v; want the overrides applied on a pull request", p)
	}
}

func TestGitHubAuth(t *testing.T) {
	fake := hostfake.NewGitHub(t)
	fake.AddRepo("acme/app", 1)
	fake.AddRepo("other/app", 2)
	key := privateKey(t, fake)
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	valid := jwt(t, key, fmt.Sprint(fake.AppID), now-30, now+90)
	tokenFor := func(inst int) string {
		code, body := call(t, "POST", fake.URL+fmt.Sprintf("app/installations/%d/access_tokens", inst), "Bearer "+valid, "")
		if code != 201 {
			t.Fatalf("mint token: %d %s", code, body)
		}
		var tok struct{ Token string }
		_ = json.Unmarshal([]byte(body), &tok)
		return tok.Token
	}
	tests := []struct {
		name, method, path, auth string
		wantCode                 int
	}{
		{"App JWT", "GET", "repos/acme/app/installation", "Bearer " + valid, 200},
		{"JWT from another key", "GET", "repos/acme/app/installation", "Bearer " + jwt(t, other, fmt.Sprint(fake.AppID), now-30, now+90), 401},
		{"JWT for another App", "GET", "repos/acme/app/installation", "Bearer " + jwt(t, key, "1", now-30, now+90), 401},
		{"expired JWT", "GET", "repos/acme/app/installation", "Bearer " + jwt(t, key, fmt.Sprint(fake.AppID), now-700, now-100), 401},
		{"JWT living an hour", "GET", "repos/acme/app/installation", "Bearer " + jwt(t, key, fmt.Sprint(fake.AppID), now, now+3600), 401},
		{"installation token on an App endpoint", "GET", "repos/acme/app/installation", "token " + tokenFor(1), 401},
		{"installation token", "GET", "repos/acme/app/pulls/1", "token " + tokenFor(1), 404}, // no PR 1, but admitted
		{"token of another installation", "POST", "repos/acme/app/statuses/abc", "token " + tokenFor(2), 404},
		{"JWT on a repository endpoint", "POST", "repos/acme/app/statuses/abc", "Bearer " + valid, 401},
		{"no credentials", "POST", "repos/acme/app/statuses/abc", "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := call(t, tt.method, fake.URL+tt.path, tt.auth, `{"state":"success"}`); code != tt.wantCode {
				t.Errorf("%s %s = %d %s; want %d", tt.method, tt.path, code, body, tt.wantCode)
			}
		})
	}
}

func TestGitHubReactionTwice(t *testing.T) {
	fake := hostfake.NewGitHub(t)
	fake.AddRepo("acme/app", 1)
	pr := fake.AddPullRequest("acme/app", hostfake.PullRequest{Head: "a", Base: "main"})
	id := fake.AddComment("acme/app", pr.Number, hostfake.Comment{Author: "alice", Body: "/sync"})
	key := privateKey(t, fake)
	now := time.Now().Unix()
	_, body := call(t, "POST", fake.URL+"app/installations/1/access_tokens", "Bearer "+jwt(t, key, fmt.Sprint(fake.AppID), now, now+60), "")
	var tok struct{ Token string }
	_ = json.Unmarshal([]byte(body), &tok)
	path := fmt.Sprintf("%srepos/acme/app/issues/comments/%d/reactions", fake.URL, id)
	codes := []int{}
	for _, content := range []string{"eyes", "eyes", "party"} {
		code, _ := call(t, "POST", path, "token "+tok.Token, `{"content":"`+content+`"}`)
		codes = append(codes, code)
	}
	if fmt.Sprint(codes) != "[201 200 422]" || len(fake.Reactions(id)) != 1 {
		t.Errorf("reaction codes = %v, reactions %v; want 201, 200 for the same again, 422 for an unknown one", codes, fake.Reactions(id))
	}
}

func privateKey(t *testing.T, fake *hostfake.GitHub) *rsa.PrivateKey {
	t.Helper()
	block := strings.TrimSpace(string(fake.PrivateKey))
	if !strings.HasPrefix(block, "-----BEGIN RSA PRIVATE KEY-----") {
		t.Fatalf("PrivateKey is not a PKCS #1 PEM block")
	}
	k, err := parsePKCS1(fake.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// jwt signs an App JWT as ghinstallation does.
func jwt(t *testing.T, key *rsa.PrivateKey, iss string, iat, exp int64) string {
	t.Helper()
	enc := base64.RawURLEncoding.EncodeToString
	head := enc([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims := enc([]byte(fmt.Sprintf(`{"iss":%q,"iat":%d,"exp":%d}`, iss, iat, exp)))
	sum := sha256.Sum256([]byte(head + "." + claims))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return head + "." + claims + "." + enc(sig)
}

func call(t *testing.T, method, url, auth, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}
