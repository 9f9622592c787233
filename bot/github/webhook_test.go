package github_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gitwave/gitwave/bot/github"
	"github.com/gitwave/gitwave/bot/hostfake"
)

func TestVerify(t *testing.T) {
	h, fake := newHost(t, github.Options{})
	event, body := fake.Webhook(t, hostfake.GitHubWebhook{Example: "pull_request.opened", Repo: repo})
	otherEvent, otherBody := fake.Webhook(t, hostfake.GitHubWebhook{Example: "push", Repo: repo})
	_ = otherEvent

	tests := []struct {
		name      string
		signature func(string) string // from the good signature
		body      []byte
		wantErr   string
	}{
		{name: "good signature", signature: func(s string) string { return s }, body: body},
		{name: "missing signature", signature: func(string) string { return "" }, body: body, wantErr: "no X-Hub-Signature-256 header"},
		{name: "wrong secret", signature: func(string) string {
			return hostfake.GitHubSignature([]byte("not-the-secret"), body)
		}, body: body, wantErr: "does not match"},
		{name: "signature of another body", signature: func(string) string {
			return hostfake.GitHubSignature(fake.WebhookSecret, otherBody)
		}, body: body, wantErr: "does not match"},
		{name: "body changed after signing", signature: func(s string) string { return s },
			body: append([]byte(" "), body...), wantErr: "does not match"},
		{name: "sha1 form", signature: func(s string) string { return "sha1=" + strings.TrimPrefix(s, "sha256=") },
			body: body, wantErr: "not sha256=<hex>"},
		{name: "not hex", signature: func(string) string { return "sha256=zz" }, body: body, wantErr: "not hex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fake.SignedRequest(event, body)
			r.Header.Set("X-Hub-Signature-256", tt.signature(r.Header.Get("X-Hub-Signature-256")))
			d, err := h.Verify(r, tt.body)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, github.ErrBadSignature) {
					t.Fatalf("Verify = %+v, %v; want ErrBadSignature mentioning %q", d, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if d.Host != "github" || d.Event != "pull_request" || d.ID != r.Header.Get("X-GitHub-Delivery") || d.At.IsZero() {
				t.Errorf("Verify = %+v; want github pull_request delivery %s", d, r.Header.Get("X-GitHub-Delivery"))
			}
		})
	}
}

func TestVerifyNeedsDeliveryID(t *testing.T) {
	h, fake := newHost(t, github.Options{})
	event, body := fake.Webhook(t, hostfake.GitHubWebhook{Example: "push"})
	r := fake.SignedRequest(event, body)
	r.Header.Del("X-GitHub-Delivery")
	if _, err := h.Verify(r, body); err == nil || !strings.Contains(err.Error(), "X-GitHub-Delivery") {
		t.Fatalf("Verify without delivery id = %v; want an error naming X-GitHub-Delivery", err)
	}
}

func TestNewRefuses(t *testing.T) {
	fake := hostfake.NewGitHub(t)
	good := github.Options{AppID: fake.AppID, PrivateKey: fake.PrivateKey, WebhookSecret: fake.WebhookSecret, BaseURL: fake.URL}
	tests := []struct {
		name    string
		edit    func(*github.Options)
		wantErr string
	}{
		{"empty webhook secret", func(o *github.Options) { o.WebhookSecret = nil }, "webhook secret is required"},
		{"no app id", func(o *github.Options) { o.AppID = 0 }, "app id is required"},
		{"key not PEM", func(o *github.Options) { o.PrivateKey = []byte("secret-key-material") }, "not PEM-encoded"},
		{"relative base URL", func(o *github.Options) { o.BaseURL = "api/v3" }, "not an absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.edit(&o)
			_, err := github.New(o)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New = %v; want error containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret-key-material") {
				t.Errorf("error %q quotes the private key", err)
			}
		})
	}
}

func TestCheckHeaders(t *testing.T) {
	h, fake := newHost(t, github.Options{})
	event, body := fake.Webhook(t, hostfake.GitHubWebhook{Example: "push", Repo: repo})
	tests := []struct {
		name    string
		edit    func(http.Header)
		wantErr string
	}{
		{"signed delivery", func(http.Header) {}, ""},
		{"no signature", func(h http.Header) { h.Del("X-Hub-Signature-256") }, "no X-Hub-Signature-256 header"},
		{"sha1 signature", func(h http.Header) { h.Set("X-Hub-Signature-256", "sha1=abcd") }, "not sha256=<64 hex digits>"},
		{"short signature", func(h http.Header) { h.Set("X-Hub-Signature-256", "sha256=abcd") }, "not sha256=<64 hex digits>"},
		{"no delivery id", func(h http.Header) { h.Del("X-GitHub-Delivery") }, "no X-GitHub-Delivery header"},
		{"no event", func(h http.Header) { h.Del("X-GitHub-Event") }, "no X-GitHub-Event header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fake.SignedRequest(event, body)
			tt.edit(r.Header)
			err := h.CheckHeaders(r.Header)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("CheckHeaders = %v; want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
